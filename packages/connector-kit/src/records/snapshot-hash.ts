import { createHash, hash } from 'node:crypto';
import type { RecordSnapshot } from './types';

/** Canonical form of a snapshot: keys sorted, groups sorted and de-duplicated. */
export function canonicalSnapshot(snapshot: RecordSnapshot): RecordSnapshot {
  const properties: Record<string, RecordSnapshot['properties'][string]> = {};
  for (const key of Object.keys(snapshot.properties).sort()) {
    properties[key] = snapshot.properties[key] ?? null;
  }
  return { properties, groups: [...new Set(snapshot.groups)].sort() };
}

/** A key JavaScript orders before all others in an object (an array index), whatever its insertion order. */
const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/**
 * `JSON.stringify(canonicalSnapshot(snapshot))`, built directly (no intermediate objects):
 * the same characters, so the same hash. Falls back to the object form when a property
 * name is an array index (JSON.stringify orders those numerically).
 */
export function canonicalJson(snapshot: RecordSnapshot): string {
  const props = snapshot.properties;
  const keys = Object.keys(props).sort();
  let json = '{"properties":{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (ARRAY_INDEX.test(key) && Number(key) < 4_294_967_295) return JSON.stringify(canonicalSnapshot(snapshot));
    json += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(props[key] ?? null)}`;
  }
  json += '},"groups":';
  const groups = snapshot.groups;
  if (groups.length === 0) return `${json}[]}`;
  return `${json}${JSON.stringify([...new Set(groups)].sort())}}`;
}

/** One-shot SHA-256 (Node ≥ 20.12), else a hash object. */
const sha256Hex: (text: string) => string =
  typeof hash === 'function' ? (text) => hash('sha256', text, 'hex') : (text) => createHash('sha256').update(text).digest('hex');

/**
 * SHA-256 (hex, 64 chars) of the canonical snapshot. Two snapshots with the same hash
 * export the same thing, so a record whose hash matches the sync's state is not sent.
 */
export function snapshotHash(snapshot: RecordSnapshot): string {
  return sha256Hex(canonicalJson(snapshot));
}
