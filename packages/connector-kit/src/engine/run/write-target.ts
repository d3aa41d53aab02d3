import type { AnyDestination } from '../../destination/any-destination';
import { targetLeaseKey } from '../../state/sync-id';

/**
 * The key of the records a sync with these identity settings writes: `targetLeaseKey` of the
 * destination's `writeTarget` (records destinations; default, and for audiences, the identity
 * itself). The lease a run holds, and how syncs of one state store writing the same records
 * find each other (`sameAccountSyncs`: fresh reviewer 115, F1 — a sync whose URL had a
 * trailing slash, the same records, removed a campaign membership the other still had).
 */
export function writeTargetKey(destination: AnyDestination, identity: Readonly<Record<string, unknown>>): string {
  return targetLeaseKey(destination.id, writeTargetOf(destination, identity));
}

/** The identity settings that name the records a sync writes (the destination's `writeTarget`; default all of them). */
export function writeTargetOf(destination: AnyDestination, identity: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...((destination.kind === 'records' ? destination.writeTarget?.(identity) : undefined) ?? identity) };
}
