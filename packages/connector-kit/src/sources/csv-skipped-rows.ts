import type { CsvError } from 'csv-parse';
import type { SourceItem } from '../records/types';
import type { LineCounter } from './csv-lines';
import { malformed, skipMessage } from './csv-row-errors';

/**
 * The rows csv-parse skipped (`on_skip`), in file order among its records. csv-parse reports
 * a skipped row while it parses, ahead of the records still waiting in its stream: each is
 * queued with the number of records csv-parse had accepted before it, and taken out as the
 * reader reaches that record, its lines counted then (so that line numbers follow the file).
 */
export class SkippedRows {
  private readonly queue: { before: number; error: CsvError; raw: string }[] = [];
  /** The read-limit error, once taken out: one item for the rest of the file, which is read no further. */
  private stopped: SourceItem | undefined;
  /** The header's number of values, for the messages (0 until the header is read). */
  headerWidth = 0;

  constructor(
    private readonly lines: LineCounter,
    /** Characters a record may grow to while it is read (csv-parse's `max_record_size`). */
    private readonly readLimit: number,
  ) {}

  /** A row csv-parse skipped after accepting `before` records, with its raw text. */
  add(before: number, error: CsvError, raw: string): void {
    this.queue.push({ before, error, raw });
  }

  /** The rows queued before record number `records`, as `malformed_row` items (the read-limit error is kept for {@link SkippedRows.rest}). */
  takeBefore(records: number): SourceItem[] {
    const items: SourceItem[] = [];
    while (this.queue.length > 0 && (this.queue[0] as { before: number }).before <= records) {
      const { error, raw } = this.queue.shift() as (typeof this.queue)[number];
      const span = this.lines.advance(raw);
      const message = skipMessage(error, span, this.headerWidth, this.readLimit, raw);
      // The record's span is only what was read of it: one entry, for the rest of the file.
      if (error.code === 'CSV_MAX_RECORD_SIZE') this.stopped = malformed({ first: span.first, last: span.first }, message)[0];
      else items.push(...malformed(span, message));
    }
    return items;
  }

  /** Every row still queued after the last record, then the read-limit error if reading stopped there. */
  rest(): SourceItem[] {
    const left = this.takeBefore(Number.POSITIVE_INFINITY);
    return this.stopped ? [...left, this.stopped] : left;
  }
}
