import { InputError } from '../errors/sync-error';
import type { FieldMapping } from '../mapping/field-mapping';
import type { SourceItem } from '../records/types';
import { mapCheckedValues, type CheckedRow, type CsvReadOptions } from './csv-read';

/** What the CSV worker thread is started with (its `workerData`). */
export interface CsvWorkerData {
  readonly path: string;
  readonly mapping: FieldMapping;
  readonly options: CsvReadOptions;
  /** Rows (checked or failed) per message, at most. */
  readonly batchSize: number;
  /** Characters of values per message, at most: a message goes once its rows' values pass it. */
  readonly batchChars: number;
  /** Messages the worker may send before the reader has taken the first of them. */
  readonly ahead: number;
}

/** An {@link InputError} as it crosses threads: its code and message (a `cause` stays behind). */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

/** The entry of a row that failed, as it crosses threads. */
interface WireFailedRow {
  readonly row: number;
  readonly id?: string | undefined;
  readonly error: WireError;
}

/**
 * Rows as they cross threads, in file order: the checked rows as flat arrays (cheaper to
 * copy between threads than an object per row: no property names), and the entries of the
 * rows that failed, each placed by the number of checked rows of the batch before it.
 */
export interface WireBatch {
  /** Each checked row's first line. */
  readonly lines: number[];
  /** The checked rows' values, one row after the other, as many per row as `csvColumns` has. */
  readonly values: (string | undefined)[];
  readonly failed: { readonly before: number; readonly entry: WireFailedRow }[];
}

/** A message from the CSV worker thread: rows, the end of the file, or the error that stopped reading. */
export type CsvWorkerMessage = { readonly batch: WireBatch } | { readonly done: true } | { readonly failed: WireError };

/** The {@link WireError} of an error met reading (every error `readCsv` throws or reports is an {@link InputError}). */
export function toWireError(error: unknown): WireError {
  if (error instanceof InputError) return { code: error.code, message: error.message };
  return { code: 'unreadable_file', message: `Cannot read the file as CSV: ${error instanceof Error ? error.message : String(error)}` };
}

/** Collects the worker's rows into {@link WireBatch}es. */
export class WireBatcher {
  private batch: WireBatch = { lines: [], values: [], failed: [] };
  private size = 0;
  private chars = 0;

  constructor(
    private readonly batchSize: number,
    private readonly batchChars: number,
  ) {}

  /** Adds a row; returns the batch once it holds `batchSize` rows or `batchChars` characters of values. */
  add(item: CheckedRow | SourceItem): WireBatch | undefined {
    const batch = this.batch;
    if (item.kind === 'row') {
      batch.lines.push(item.line);
      for (const v of item.values) {
        batch.values.push(v);
        this.chars += v?.length ?? 0;
      }
    } else if (item.kind === 'error') {
      batch.failed.push({ before: batch.lines.length, entry: { row: item.row, id: item.id, error: toWireError(item.error) } });
      this.chars += item.error.message.length;
    }
    return ++this.size >= this.batchSize || this.chars >= this.batchChars ? this.take() : undefined;
  }

  /** The rows added since the last batch (possibly none). */
  take(): WireBatch {
    const batch = this.batch;
    this.batch = { lines: [], values: [], failed: [] };
    this.size = 0;
    this.chars = 0;
    return batch;
  }
}

const failedItem = (f: WireFailedRow): SourceItem => ({ kind: 'error', row: f.row, id: f.id, error: new InputError(f.error.code, f.error.message) });

/** The source items of a {@link WireBatch}, in file order: checked rows mapped in this thread, failed rows with their {@link InputError}s rebuilt. */
export function* itemsOf(batch: WireBatch, columns: readonly string[], mapping: FieldMapping): Generator<SourceItem> {
  const { lines, values, failed } = batch;
  let f = 0;
  for (let i = 0; i < lines.length; i++) {
    while (f < failed.length && (failed[f] as { before: number }).before === i) yield failedItem((failed[f++] as { entry: WireFailedRow }).entry);
    yield mapCheckedValues(columns, values, i * columns.length, lines[i] as number, mapping);
  }
  while (f < failed.length) yield failedItem((failed[f++] as { entry: WireFailedRow }).entry);
}
