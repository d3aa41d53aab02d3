import { operationsFor, type SyncMode } from './sync-modes';

/** Which destination records `sync` mode may delete: `owned` (default) — only those this sync created; `matched` — any it matched. */
export type DeletePolicy = 'owned' | 'matched';

/** An operation a sync may perform on a destination record. */
export type Operation = 'create' | 'update' | 'delete';

/** What the delete decision needs to know about the record. */
export interface DeleteFacts {
  /** This sync created the destination record. */
  readonly owned: boolean;
  readonly deletePolicy: DeletePolicy;
}

/**
 * The one answer to "may this run create / update / delete this record?", shared by the
 * first pass (which counts the deletes for the guard) and the planner (which decides each
 * record): the mode's operation, and for a delete also the record's ownership under the
 * delete policy. Reads {@link SYNC_MODE_TABLE} and nothing else.
 */
export function permits(mode: SyncMode, operation: Operation, facts?: DeleteFacts): boolean {
  const allowed = operationsFor(mode)[operation];
  if (operation !== 'delete' || !allowed) return allowed;
  return facts !== undefined && (facts.owned || facts.deletePolicy === 'matched');
}
