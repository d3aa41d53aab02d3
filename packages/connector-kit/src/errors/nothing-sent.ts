import type { SyncError } from './sync-error';

const marked = new WeakSet<SyncError>();

/**
 * Marks `error` (the same instance, its class and retry wait kept) as thrown before the call
 * reached the destination's write: a read the verb makes first failed (Intercom reads a
 * contact's tags before tagging it). The kit then does not count that call as a send of its
 * items, so an "already a member" answer to the group add sent next is still a first send's
 * (see `ItemResult.existing`; fresh reviewer 95, F1: after one 503 on that read, a person's
 * tag was taken for the sync's own, and removed).
 *
 * @returns `error`.
 */
export function sentNothing<E extends SyncError>(error: E): E {
  marked.add(error);
  return error;
}

/** True when {@link sentNothing} marked `error`. */
export function isNothingSent(error: SyncError): boolean {
  return marked.has(error);
}
