import { createHash } from 'node:crypto';
import type { RecordSnapshot } from './types';

/** Canonical form of a snapshot: keys sorted, groups sorted and de-duplicated. */
export function canonicalSnapshot(snapshot: RecordSnapshot): RecordSnapshot {
  const properties: Record<string, RecordSnapshot['properties'][string]> = {};
  for (const key of Object.keys(snapshot.properties).sort()) {
    properties[key] = snapshot.properties[key] ?? null;
  }
  return { properties, groups: [...new Set(snapshot.groups)].sort() };
}

/**
 * SHA-256 (hex, 64 chars) of the canonical snapshot. Two snapshots with the same hash
 * export the same thing, so a record whose hash matches the sync's state is not sent.
 */
export function snapshotHash(snapshot: RecordSnapshot): string {
  return createHash('sha256').update(JSON.stringify(canonicalSnapshot(snapshot))).digest('hex');
}
