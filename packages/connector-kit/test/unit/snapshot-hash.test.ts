import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalSnapshot, snapshotHash } from '../../src/records/snapshot-hash';
import type { RecordSnapshot } from '../../src/records/types';

/** The definition the state's hashes were written with: SHA-256 of JSON.stringify(canonicalSnapshot). */
const reference = (s: RecordSnapshot) => createHash('sha256').update(JSON.stringify(canonicalSnapshot(s))).digest('hex');

describe('snapshotHash', () => {
  const cases: Record<string, RecordSnapshot> = {
    empty: { properties: {}, groups: [] },
    plain: { properties: { b: 'x', a: 1, c: true, d: null }, groups: ['z', 'a', 'z'] },
    escapes: { properties: { 'q"uote': 'line\nbreak\t"\\', é: 'ünï ☃', '\u2028': '\u2028' }, groups: ['"g"'] },
    numbers: { properties: { n: 1.5e-7, big: 1e21, neg: -0, nan: Number.NaN, inf: Number.POSITIVE_INFINITY }, groups: [] },
    arrayIndexKeys: { properties: { 10: 'ten', 9: 'nine', a: 'a', '01': 'zero-one', 4294967295: 'not an index' }, groups: [] },
    undefinedValue: { properties: { a: undefined as unknown as null, b: 'b' }, groups: [] },
  };
  for (const [name, snapshot] of Object.entries(cases)) {
    it(`equals the reference definition (${name})`, () => {
      expect(canonicalJson(snapshot)).toBe(JSON.stringify(canonicalSnapshot(snapshot)));
      expect(snapshotHash(snapshot)).toBe(reference(snapshot));
    });
  }
  it('does not depend on property or group order', () => {
    expect(snapshotHash({ properties: { a: 1, b: 2 }, groups: ['x', 'y'] })).toBe(snapshotHash({ properties: { b: 2, a: 1 }, groups: ['y', 'x', 'y'] }));
  });
});
