import { RunRefusedError } from '../../errors/sync-error';

/** Limits on destructive runs. */
export interface DeletionGuardOptions {
  /**
   * Most deletes a run may send (records).
   * @defaultValue refuse more than `1000` deletes, or more than 10% of the records this sync owns
   */
  readonly maxDeletes?: number | undefined;
  /**
   * Allow a run whose source has no records while the sync's state has some.
   * @defaultValue `false`
   */
  readonly allowEmptySource?: boolean | undefined;
}

/** The facts the guard decides on (counts of records). */
export interface DeletionGuardFacts {
  readonly plannedDeletes: number;
  /** Records this sync owns (created, still in the source last time). */
  readonly ownedRecords: number;
  /** Valid records in the source. */
  readonly sourceRecords: number;
  /** Rows the source yielded, records or not (a row that could not be read counts); default `sourceRecords`. */
  readonly sourceRows?: number | undefined;
  /** Records the sync's state knows (not departed). */
  readonly stateRecords: number;
}

/** Default absolute limit. */
export const DEFAULT_MAX_DELETES = 1_000;
/** Default limit as a share of owned records. */
export const DEFAULT_MAX_DELETE_SHARE = 0.1;

/**
 * Checks a run before anything is sent.
 *
 * @returns a {@link RunRefusedError} (`deletion_guard` or `empty_source`) whose message
 *   says what was found and how to allow it, or `undefined` when the run may go on.
 */
export function checkDeletionGuard(facts: DeletionGuardFacts, options: DeletionGuardOptions = {}): RunRefusedError | undefined {
  if (facts.sourceRecords === 0 && facts.stateRecords > 0 && !options.allowEmptySource) {
    const rows = facts.sourceRows ?? 0;
    const what = rows > 0 ? `None of the source's ${rows} row(s) could be read as a record (each row's error says why; a header whose names do not match the rows fails every row)` : 'The source has no records';
    return new RunRefusedError(
      'empty_source',
      `${what} but this sync has exported ${facts.stateRecords} before. ` +
        'Refusing to treat everyone as gone; check the input, or allow it with guard.allowEmptySource: true.',
    );
  }
  if (facts.plannedDeletes === 0) return undefined;
  if (options.maxDeletes !== undefined) {
    if (facts.plannedDeletes > options.maxDeletes) {
      return new RunRefusedError(
        'deletion_guard',
        `This run would delete ${facts.plannedDeletes} records, more than the allowed ${options.maxDeletes}. ` +
          `Check the input, or raise the limit with guard.maxDeletes: ${facts.plannedDeletes}.`,
      );
    }
    return undefined;
  }
  const share = facts.ownedRecords > 0 ? facts.plannedDeletes / facts.ownedRecords : 1;
  if (facts.plannedDeletes > DEFAULT_MAX_DELETES || share > DEFAULT_MAX_DELETE_SHARE) {
    return new RunRefusedError(
      'deletion_guard',
      `This run would delete ${facts.plannedDeletes} of the ${facts.ownedRecords} records this sync created ` +
        `(${(share * 100).toFixed(1)}%); the default limit is ${DEFAULT_MAX_DELETES} records or ` +
        `${DEFAULT_MAX_DELETE_SHARE * 100}%. Check the input, or allow it with guard.maxDeletes: ${facts.plannedDeletes}.`,
    );
  }
  return undefined;
}
