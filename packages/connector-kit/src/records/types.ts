import type { SyncError } from '../errors/sync-error';

/** A property value as exported: strings, numbers, booleans; `null` means "empty / clear". */
export type PropertyValue = string | number | boolean | null;

/** Destination field name → value. */
export type Properties = Readonly<Record<string, PropertyValue>>;

/**
 * What is exported for one record: its mapped properties and the names of the groups it
 * belongs to (campaigns, tags, audiences — the destination decides what a group is).
 */
export interface RecordSnapshot {
  readonly properties: Properties;
  readonly groups: readonly string[];
}

/** One record read from the source, identified by its primary key (`id`). */
export interface SourceRecord {
  readonly kind: 'record';
  /** The source's primary key for this record (e.g. a customer id). */
  readonly id: string;
  /**
   * Where the record is in the source, when known: for CSV and NDJSON the file line it
   * starts on (1-based; a CSV header is line 1, so the first data row is normally line 2;
   * blank lines and line breaks inside quoted values count); for a JSON array the element's
   * position (1-based). Reports use it to point at the row to fix.
   */
  readonly row?: number | undefined;
  readonly snapshot: RecordSnapshot;
  /**
   * The values as the source wrote them (trimmed), for the properties whose Unicode NFC
   * normalisation changed them; absent when none did. The run sends such a value as
   * written when the record's match key or identifiers depend on it: a destination
   * compares identifiers exactly, and `jose\u0301` normalised to `jos\u00e9` addressed
   * another person's record (trial 20a F2).
   */
  readonly exact?: Properties | undefined;
}

/**
 * A source row that could not become a record; it is reported as `failed`. A row error
 * without an id makes the source incomplete: the run then deletes and removes nothing
 * (the row might be any record that seems to have left the source).
 */
export interface SourceRowError {
  readonly kind: 'error';
  /** As {@link SourceRecord.row}. */
  readonly row: number;
  /**
   * The row's primary key, when it could be read exactly. Left out when it could not be
   * trusted (a malformed or merged CSV row, an id with control characters).
   */
  readonly id?: string | undefined;
  readonly error: SyncError;
}

/** What a source yields, in input order. */
export type SourceItem = SourceRecord | SourceRowError;

/**
 * A re-readable source of records. The engine reads it twice: once to compare with state
 * (counts, duplicates, deletions, the deletion guard), once to send.
 */
export interface RecordSource {
  /** Human-readable name (a file path) for reports. */
  readonly name: string;
  open(): AsyncIterable<SourceItem>;
}
