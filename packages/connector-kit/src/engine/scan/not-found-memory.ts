import type { StateIndexEntry } from '../../state/state-store';

/**
 * Whether a record that was not found last time can be skipped without a lookup: its
 * source snapshot is unchanged (`hash`) and the last lookup is younger than
 * `recheckAfterMs`. A changed record, or one past the window, is looked up again, so
 * people who appear in the destination later are picked up.
 */
export function notFoundStillFresh(entry: StateIndexEntry | undefined, hash: string, recheckAfterMs: number, now: number): boolean {
  if (!entry?.notFound || entry.hash !== hash) return false;
  return entry.updatedAt !== undefined && now - entry.updatedAt < recheckAfterMs;
}
