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
  const order = keyOrder(Object.keys(props));
  if (order === undefined) return JSON.stringify(canonicalSnapshot(snapshot));
  let json = '{"properties":{';
  for (let i = 0; i < order.keys.length; i++) json += `${order.prefixes[i] as string}${JSON.stringify(props[order.keys[i] as string] ?? null)}`;
  json += '},"groups":';
  const groups = snapshot.groups;
  if (groups.length === 0) return `${json}[]}`;
  return `${json}${JSON.stringify([...new Set(groups)].sort())}}`;
}

/** Property names sorted, each with its JSON prefix (`,"name":`). */
interface KeyOrder {
  readonly keys: readonly string[];
  readonly prefixes: readonly string[];
}

/** The last key list seen and its order: the records of a source nearly always have the same keys in the same order. */
let lastKeys: readonly string[] = [];
let lastOrder: KeyOrder = { keys: [], prefixes: [] };

/** The sorted order of `keys` (reused while the key list repeats), or undefined when a key is an array index. */
function keyOrder(keys: readonly string[]): KeyOrder | undefined {
  let same = keys.length === lastKeys.length;
  for (let i = 0; same && i < keys.length; i++) same = keys[i] === lastKeys[i];
  if (same) return lastOrder;
  const sorted = [...keys].sort();
  if (sorted.some((key) => ARRAY_INDEX.test(key) && Number(key) < 4_294_967_295)) return undefined;
  lastKeys = keys;
  lastOrder = { keys: sorted, prefixes: sorted.map((key, i) => `${i === 0 ? '' : ','}${JSON.stringify(key)}:`) };
  return lastOrder;
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
