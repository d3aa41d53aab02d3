import type { CsvError } from 'csv-parse';
import { InputError } from '../errors/sync-error';
import type { SourceItem } from '../records/types';
import type { LineSpan } from './csv-row-check';
import { linesLabel } from './csv-row-check';

/** A count as the messages write it (1,000). */
export const count = (n: number) => n.toLocaleString('en-US');

/**
 * One `malformed_row` item per file line the record covers (a stray quote that merged lines
 * 3–5 into one record gives lines 3, 4 and 5 an entry each, all naming the span), so the
 * report accounts for every input line.
 */
export function malformed(span: LineSpan, message: string): SourceItem[] {
  const items: SourceItem[] = [];
  // No id: a malformed row's id cannot be trusted, so the run deletes nothing.
  for (let row = span.first; row <= span.last; row++) items.push({ kind: 'error', row, id: undefined, error: new InputError('malformed_row', message) });
  return items;
}

/** A row with another number of values than the header: what it has, and what to fix. */
export function countMessage(span: LineSpan, got: number | string, width: number): string {
  if (span.last > span.first) {
    return (
      `Lines ${span.first}–${span.last} were read as one row (a quoted value opened on line ${span.first} runs to line ${span.last}), ` +
      `which has ${got} values; the header has ${width}. A quote is probably stray: remove it, or double it ("") inside a quoted value. ` +
      'Nothing is deleted or removed until the file reads cleanly.'
    );
  }
  return `${linesLabel(span)}: the row has ${got} values; the header has ${width}. Check for a missing or extra delimiter, or a stray quote.`;
}

/**
 * The message of a row csv-parse skipped (`on_skip`), by its error code: what went wrong on
 * which lines, and what to fix. `readLimit` is csv-parse's `max_record_size`, in characters.
 */
export function skipMessage(error: CsvError, span: LineSpan, width: number, readLimit: number, raw = ''): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return countMessage(span, (error as { record?: unknown[] }).record?.length ?? 'a different number of', width);
    case 'CSV_QUOTE_NOT_CLOSED':
      return `Line ${span.first}: a quote opened in this row is never closed, so lines ${span.first}–${span.last} (the rest of the file) could not be read; close the quote, or double it ("") inside a quoted value.`;
    case 'CSV_MAX_RECORD_SIZE':
      // Blamed on a quote only when the row has one (second trial of stop 31: a 40-million-character value with no quote).
      return raw.includes('"')
        ? `Line ${span.first}: a row is still not ended after ${count(readLimit)} characters (most likely a quote that is never closed), so the rest of the file could not be read; close the quote, or double it ("") inside a quoted value.`
        : `Line ${span.first}: a row is still not ended after ${count(readLimit)} characters and holds no quote (a value that long, or not a text file of rows), so the rest of the file could not be read; shorten the value, or check the file.`;
    default:
      return `${linesLabel(span)}: this row could not be read (${error.code}).`;
  }
}
