import { describe, expect, it } from 'vitest';
import { SqliteStateStore, snapshotHash, StateIndex, type StateEntry } from '../../src/index';

const entry = (i: number, extra: Partial<StateEntry> = {}): StateEntry => {
  const snapshot = { properties: { email: `p${i}@example.com` }, groups: [] };
  return { recordId: `r${i}`, destinationId: `d${i}`, matchKey: `p${i}@example.com`, snapshot, hash: snapshotHash(snapshot), owned: i % 2 === 0, departed: i % 3 === 0, ...extra };
};

describe('StateIndex', () => {
  it('reads back what it was given, as a map', () => {
    const index = new StateIndex(1);
    index.set('a', { hash: 'f'.repeat(64), owned: true, departed: false, notFound: false, updatedAt: 5 });
    index.set('b', { hash: 'not a sha-256', owned: false, departed: true, notFound: true });
    index.set('c', { hash: 'A'.repeat(64), owned: false, departed: false });
    index.set('a', { hash: '0'.repeat(64), owned: false, departed: false, updatedAt: 7 });
    expect(index.size).toBe(3);
    expect(index.get('a')).toEqual({ hash: '0'.repeat(64), owned: false, departed: false, notFound: false, updatedAt: 7 });
    expect(index.get('b')).toEqual({ hash: 'not a sha-256', owned: false, departed: true, notFound: true });
    // Upper-case hex is not what the kit writes: kept exactly as given.
    expect(index.get('c')?.hash).toBe('A'.repeat(64));
    expect(index.get('zz')).toBeUndefined();
    expect([...index.keys()]).toEqual(['a', 'b', 'c']);
    expect([...index].map(([id, e]) => [id, e.owned])).toEqual([
      ['a', false],
      ['b', false],
      ['c', false],
    ]);
    expect(index.slot('b')).toBe(1);
    expect(index.entryAt(1).departed).toBe(true);
  });

  it('is what the SQLite store loads, entry for entry', async () => {
    const store = new SqliteStateStore(':memory:');
    const entries = Array.from({ length: 1_000 }, (_, i) => entry(i, i === 7 ? { notFound: true } : {}));
    await store.put('s', entries);
    const index = await store.index('s');
    expect(index).toBeInstanceOf(StateIndex);
    expect(index.size).toBe(1_000);
    for (const e of entries) {
      expect(index.get(e.recordId)).toMatchObject({ hash: e.hash, owned: e.owned, departed: e.departed, notFound: e.notFound === true });
    }
    expect(typeof index.get('r7')?.updatedAt).toBe('number');
    store.close();
  });
});
