import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { snapshotHash } from '../records/snapshot-hash';
import type { RecordSnapshot } from '../records/types';
import type { StateEntry, StateStore } from '../state/state-store';
import { runHistoryContract } from './run-history-contract';

/** Options of {@link describeStateStoreContract}. */
export interface StateStoreContractOptions {
  /** Entries in the large-index test (default 20,000). */
  readonly largeIndexSize?: number;
}

function entry(id: string, overrides: Partial<StateEntry> = {}): StateEntry {
  const snapshot: RecordSnapshot = { properties: { email: `${id}@example.com`, n: 1, ok: true, gone: null }, groups: ['a', 'b'] };
  return { recordId: id, destinationId: `d-${id}`, matchKey: `${id}@example.com`, snapshot, hash: snapshotHash(snapshot), owned: true, departed: false, ...overrides };
}

const SYNC = 'sync-under-test';

/**
 * Registers (vitest) the behaviour every {@link StateStore} must have, so a new store
 * (Postgres, …) is proven against the same contract as SQLite: entries round-trip exactly,
 * the index carries hashes and flags, counts, removal, lookups by destination id, syncs kept
 * apart (and the destination records other syncs track), the lease: exclusive per sync, taken over only when expired or stale, with an
 * epoch that fences writes made under an older lease (`lease_lost`); listing syncs with
 * their names and counts, and forgetting one.
 *
 * @param open - opens a fresh, empty store for each test (closed by the suite).
 */
export function describeStateStoreContract(name: string, open: () => Promise<StateStore>, options: StateStoreContractOptions = {}): void {
  describe(`StateStore contract: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await open();
      await store.registerSync({ syncId: SYNC, destination: 'tiny', identity: { baseUrl: 'http://127.0.0.1' } });
    });
    afterEach(async () => {
      await store.close();
    });

    it('entries round-trip exactly: snapshot values and types, flags, destination id, match key', async () => {
      // A write-ahead mark keeps the values its write replaces (`StateSnapshot.before`).
      const a = entry('a', { pending: true, snapshot: { properties: { email: 'a@example.com', n: 2 }, groups: ['a'], before: [{ n: 1, ok: true }] } });
      const b = entry('b', { destinationId: null, owned: false, notFound: true, snapshot: { properties: {}, groups: [] }, hash: 'x'.repeat(64) });
      await store.put(SYNC, [a, b]);
      const got = await store.get(SYNC, ['a', 'b', 'missing']);
      expect(got.size).toBe(2);
      expect(got.get('a')).toMatchObject({ ...a, notFound: false, pending: true });
      expect(got.get('b')).toMatchObject({ ...b, pending: false });
    });

    it('put replaces an entry; remove forgets it; counts follow (owned = owned and not departed)', async () => {
      await store.put(SYNC, [entry('a'), entry('b'), entry('c', { owned: false }), entry('d', { departed: true })]);
      await store.put(SYNC, [entry('a', { destinationId: 'd-new' })]);
      expect((await store.get(SYNC, ['a'])).get('a')?.destinationId).toBe('d-new');
      expect(await store.count(SYNC)).toBe(4);
      expect(await store.count(SYNC, 'owned')).toBe(2);
      await store.remove(SYNC, ['a', 'missing']);
      expect(await store.count(SYNC)).toBe(3);
      expect((await store.get(SYNC, ['a'])).size).toBe(0);
    });

    it('the index gives every entry’s hash and flags by record id', async () => {
      await store.put(SYNC, [entry('a'), entry('b', { owned: false, departed: true }), entry('c', { notFound: true, hash: 'odd-hash' })]);
      const index = await store.index(SYNC);
      expect(index.size).toBe(3);
      expect(index.get('a')).toMatchObject({ hash: entry('a').hash, owned: true, departed: false });
      expect(index.get('b')).toMatchObject({ owned: false, departed: true });
      expect(index.get('c')).toMatchObject({ hash: 'odd-hash', notFound: true });
      expect(typeof index.get('a')?.updatedAt).toBe('number');
    });

    it('finds entries by destination id, every record that names one', async () => {
      await store.put(SYNC, [entry('a'), entry('b', { destinationId: 'shared' }), entry('c', { destinationId: 'shared' }), entry('e', { destinationId: null })]);
      const found = await store.findByDestinationIds(SYNC, ['shared', 'd-a', 'nothing']);
      expect(found.map((e) => e.recordId).sort()).toEqual(['a', 'b', 'c']);
    });

    it('tells which other syncs of the same destination track a destination record as in their source', async () => {
      await store.registerSync({ syncId: 'b', destination: 'tiny', identity: {}, name: 'second' });
      await store.registerSync({ syncId: 'c', destination: 'tiny', identity: {} });
      await store.registerSync({ syncId: 'elsewhere', destination: 'other', identity: {} });
      await store.put(SYNC, [entry('a', { destinationId: 'x1' }), entry('b', { destinationId: 'x2' })]);
      await store.put('b', [entry('a', { destinationId: 'x1' }), entry('b', { destinationId: 'x2', departed: true }), entry('c', { destinationId: 'x3', notFound: true })]);
      await store.put('c', [entry('q', { destinationId: 'x1' }), entry('r', { destinationId: 'x4' })]);
      await store.put('elsewhere', [entry('a', { destinationId: 'x2' })]);
      const tracked = await store.trackedElsewhere(SYNC, ['x1', 'x2', 'x3', 'x4', 'x5']);
      expect(new Map([...tracked].map(([id, syncs]) => [id, [...syncs].sort()]))).toEqual(new Map([['x1', ['c', 'second']], ['x4', ['c']]]));
      expect(await store.trackedElsewhere(SYNC, [])).toEqual(new Map());
      expect(await store.trackedElsewhere('b', ['x2'])).toEqual(new Map([['x2', [SYNC]]]));
      expect(await store.trackedElsewhere('elsewhere', ['x1', 'x2'])).toEqual(new Map());
    });

    it('counts entries per group and pages through the entries of one group in record-id order', async () => {
      const inGroups = (id: string, groups: string[]) => entry(id, { snapshot: { properties: { email: `${id}@example.com` }, groups } });
      await store.put(SYNC, [inGroups('c', ['vip']), inGroups('a', ['vip', 'beta']), inGroups('b', ['beta']), inGroups('d', []), inGroups('e', ['vip'])]);
      expect(await store.groupCounts(SYNC, ['vip', 'beta', 'none'])).toEqual(new Map([['vip', 3], ['beta', 2]]));
      const first = await store.entriesInGroup(SYNC, 'vip', { limit: 2 });
      expect(first.map((e) => e.recordId)).toEqual(['a', 'c']);
      const rest = await store.entriesInGroup(SYNC, 'vip', { after: 'c', limit: 2 });
      expect(rest.map((e) => e.recordId)).toEqual(['e']);
      expect(rest[0]?.snapshot.groups).toEqual(['vip']);
    });

    it('keeps syncs apart', async () => {
      await store.registerSync({ syncId: 'other', destination: 'tiny', identity: {} });
      await store.put(SYNC, [entry('a')]);
      await store.put('other', [entry('a', { destinationId: 'other-a' }), entry('z')]);
      expect(await store.count(SYNC)).toBe(1);
      expect((await store.get(SYNC, ['a'])).get('a')?.destinationId).toBe('d-a');
      expect((await store.index('other')).size).toBe(2);
      await store.remove('other', ['a']);
      expect(await store.count(SYNC)).toBe(1);
    });

    it('a lease is exclusive: a second holder is refused with sync_running naming the first', async () => {
      const first = await store.acquireLease(SYNC, { holder: 'host:1:a', ttlMs: 60_000 });
      await expect(store.acquireLease(SYNC, { holder: 'host:2:b', ttlMs: 60_000 })).rejects.toMatchObject({ code: 'sync_running', holder: 'host:1:a' });
      await store.releaseLease(first);
      const second = await store.acquireLease(SYNC, { holder: 'host:2:b', ttlMs: 60_000 });
      expect(second.epoch).toBeGreaterThan(first.epoch);
      // Another sync's lease is independent.
      await expect(store.acquireLease('other', { holder: 'host:1:a', ttlMs: 60_000 })).resolves.toMatchObject({ holder: 'host:1:a' });
    });

    it('an expired or stale lease is taken over, and the old holder’s writes, renewals are then refused (lease_lost)', async () => {
      const old = await store.acquireLease(SYNC, { holder: 'host:1:a', ttlMs: 1 });
      await store.put(SYNC, [entry('a')], old);
      await new Promise((r) => setTimeout(r, 5));
      const next = await store.acquireLease(SYNC, { holder: 'host:2:b', ttlMs: 60_000 });
      expect(next.epoch).toBeGreaterThan(old.epoch);
      await expect(store.put(SYNC, [entry('b')], old)).rejects.toMatchObject({ code: 'lease_lost' });
      await expect(store.remove(SYNC, ['a'], old)).rejects.toMatchObject({ code: 'lease_lost' });
      await expect(store.renewLease(old, 60_000)).rejects.toMatchObject({ code: 'lease_lost' });
      expect(await store.count(SYNC)).toBe(1);
      await store.put(SYNC, [entry('c')], next);
      await store.renewLease(next, 60_000);
      const stale = await store.acquireLease(SYNC, { holder: 'host:3:c', ttlMs: 60_000, isStale: (current) => current.holder === 'host:2:b' });
      expect(stale.epoch).toBeGreaterThan(next.epoch);
      await expect(store.put(SYNC, [entry('d')], next)).rejects.toMatchObject({ code: 'lease_lost' });
    });

    it('lists each sync with its name and counts (owned excludes departed), most recently run first; a later registration without a name keeps it', async () => {
      await store.registerSync({ syncId: SYNC, destination: 'tiny', identity: { baseUrl: 'http://127.0.0.1' }, name: 'customers' });
      await store.put(SYNC, [entry('a'), entry('b'), entry('c', { departed: true }), entry('d', { owned: false, notFound: true }), entry('e', { pending: true })]);
      await new Promise((r) => setTimeout(r, 5));
      await store.registerSync({ syncId: 'other', destination: 'tiny', identity: {} });
      await store.registerSync({ syncId: SYNC, destination: 'tiny', identity: { baseUrl: 'http://127.0.0.1' } });
      await new Promise((r) => setTimeout(r, 5));
      await store.registerSync({ syncId: 'other', destination: 'tiny', identity: {} });
      const syncs = await store.listSyncs();
      expect(syncs.map((s) => s.syncId)).toEqual(['other', SYNC]);
      expect(syncs[1]).toMatchObject({ name: 'customers', destination: 'tiny', identity: { baseUrl: 'http://127.0.0.1' }, records: 5, owned: 3, departed: 1, notFound: 1, pending: 1 });
      expect(syncs[1]?.lastWrittenAt).toEqual(expect.any(Number));
      expect(syncs[1]?.createdAt).toBeLessThanOrEqual(syncs[1]?.lastRunAt ?? 0);
      expect(syncs[0]).toMatchObject({ records: 0, owned: 0 });
      expect(syncs[0]?.name).toBeUndefined();
      expect(syncs[0]?.lastWrittenAt).toBeUndefined();
    });

    it('forgetSync removes the sync and only its entries, says how many, and refuses while a run holds its lease', async () => {
      await store.registerSync({ syncId: 'other', destination: 'tiny', identity: {} });
      await store.put(SYNC, [entry('a'), entry('b')]);
      await store.put('other', [entry('a')]);
      const lease = await store.acquireLease(SYNC, { holder: 'host:1:a', ttlMs: 60_000 });
      await expect(store.forgetSync(SYNC)).rejects.toMatchObject({ code: 'sync_running' });
      await store.releaseLease(lease);
      expect(await store.forgetSync(SYNC)).toBe(2);
      expect(await store.forgetSync('unknown')).toBe(0);
      expect((await store.listSyncs()).map((s) => s.syncId)).toEqual(['other']);
      expect(await store.count(SYNC)).toBe(0);
      expect(await store.count('other')).toBe(1);
    });

    it('forgetting a sync whose lease expired fences its holder (a run paused past it): its renewal and writes are refused lease_lost, a new run takes the sync', async () => {
      await store.put(SYNC, [entry('a')]);
      const paused = await store.acquireLease(SYNC, { holder: 'host:1:paused', ttlMs: 1 });
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.forgetSync(SYNC)).toBe(1);
      await expect(store.renewLease(paused, 60_000)).rejects.toMatchObject({ code: 'lease_lost' });
      await expect(store.put(SYNC, [entry('b')], paused)).rejects.toMatchObject({ code: 'lease_lost' });
      expect(await store.count(SYNC)).toBe(0);
      const next = await store.acquireLease(SYNC, { holder: 'host:2:next', ttlMs: 60_000 });
      await store.put(SYNC, [entry('c')], next);
      expect(await store.count(SYNC)).toBe(1);
    });

    it(`indexes ${(options.largeIndexSize ?? 20_000).toLocaleString('en')} entries and reads them back`, async () => {
      const n = options.largeIndexSize ?? 20_000;
      const batch: StateEntry[] = [];
      for (let i = 0; i < n; i++) batch.push(entry(`r${i}`, { owned: i % 2 === 0 }));
      for (let i = 0; i < n; i += 5_000) await store.put(SYNC, batch.slice(i, i + 5_000));
      const index = await store.index(SYNC);
      expect(index.size).toBe(n);
      expect(index.get(`r${n - 1}`)?.hash).toBe(batch[n - 1]?.hash);
      expect(await store.count(SYNC, 'owned')).toBe(n / 2);
    });

    runHistoryContract(() => store);
  });
}
