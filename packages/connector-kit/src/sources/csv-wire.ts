import { InputError } from '../errors/sync-error';
import type { FieldMapping } from '../mapping/field-mapping';
import type { SourceItem, SourceRecord } from '../records/types';
import type { CsvReadOptions } from './csv-read';

/** What the CSV worker thread is started with (its `workerData`). */
export interface CsvWorkerData {
  readonly path: string;
  readonly mapping: FieldMapping;
  readonly options: CsvReadOptions;
  /** Items per message. */
  readonly batchSize: number;
  /** Messages the worker may send before the reader has taken the first of them. */
  readonly ahead: number;
}

/** An {@link InputError} as it crosses threads: its code and message (a `cause` stays behind). */
export interface WireError {
  readonly code: string;
  readonly message: string;
}

/** A source item as it crosses threads: a record as is, an unusable row with its error as {@link WireError}. */
export type WireItem = SourceRecord | { readonly kind: 'error'; readonly row: number; readonly id?: string | undefined; readonly error: WireError };

/** A message from the CSV worker thread: items in file order, the end of the file, or the error that stopped reading. */
export type CsvWorkerMessage = { readonly items: readonly WireItem[] } | { readonly done: true } | { readonly failed: WireError };

/** The {@link WireError} of an error met reading (every error `readCsv` throws or reports is an {@link InputError}). */
export function toWireError(error: unknown): WireError {
  if (error instanceof InputError) return { code: error.code, message: error.message };
  return { code: 'unreadable_file', message: `Cannot read the file as CSV: ${error instanceof Error ? error.message : String(error)}` };
}

export const toWireItem = (item: SourceItem): WireItem => (item.kind === 'record' ? item : { kind: 'error', row: item.row, id: item.id, error: toWireError(item.error) });

export const fromWireItem = (item: WireItem): SourceItem => (item.kind === 'record' ? item : { kind: 'error', row: item.row, id: item.id, error: new InputError(item.error.code, item.error.message) });
