/** Every outcome a record can have at the end of a run. */
export const RECORD_OUTCOMES = ['created', 'updated', 'deleted', 'unchanged', 'skipped', 'failed'] as const;

/**
 * - `created` / `updated` / `deleted`: the destination acknowledged the write.
 * - `unchanged`: nothing to send (same as last run, or already equal).
 * - `skipped`: left alone on purpose, by the mode or a policy; `code` says why. Not an error.
 * - `failed`: could not be synced; `code`, `message` and `retryable` say why.
 */
export type RecordOutcome = (typeof RECORD_OUTCOMES)[number];

/** What the planner decided to do with a record. */
export type PlannedAction = 'create' | 'update' | 'delete' | 'groups' | 'none' | 'skip' | 'fail';

/** The result for one record: exactly one per input row, plus one per record that left the source. */
export interface RecordResult {
  /** The record's source primary key (or `row:<n>` when the row had none). */
  readonly id: string;
  /** Where the row is in the source (see `SourceRecord.row`: the file line for CSV and NDJSON), absent for records that left the source. */
  readonly row?: number | undefined;
  readonly outcome: RecordOutcome;
  /** Stable snake_case code for `skipped` and `failed` (and informational for others). */
  readonly code?: string | undefined;
  /** What happened, or what to fix. Never holds credentials. */
  readonly message?: string | undefined;
  /** For `failed`: whether a later run may succeed without changing the input. */
  readonly retryable?: boolean | undefined;
  /** The destination's id for the record, when known. */
  readonly destinationId?: string | undefined;
  /** The planner's decision (always present in dry runs). */
  readonly action?: PlannedAction | undefined;
}

/** Counts by outcome. */
export type OutcomeCounts = Record<RecordOutcome, number>;

/** A zeroed {@link OutcomeCounts}. */
export function emptyCounts(): OutcomeCounts {
  return { created: 0, updated: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0 };
}
