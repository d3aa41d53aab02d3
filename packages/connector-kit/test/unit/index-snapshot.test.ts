import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStateStore, snapshotHash, StateIndex, type StateEntry } from '../../src/index';
import { decodeIndex, encodeIndex as pieces } from '../../src/state/index-snapshot';
import { prepareSchema } from '../../src/state/sqlite-schema';

const encodeIndex = (index: StateIndex) => Buffer.concat(pieces(index));

const dir = mkdtempSync(join(tmpdir(), 'syncmodes-index-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const entry = (i: number, extra: Partial<StateEntry> = {}): StateEntry => {
  const snapshot = { properties: { email: `p${i}@example.com` }, groups: [] };
  return { recordId: `r${i}`, destinationId: `d${i}`, matchKey: `p${i}@example.com`, snapshot, hash: snapshotHash(snapshot), owned: i % 2 === 0, departed: i % 3 === 0, notFound: i % 7 === 0, ...extra };
};

/** Every entry of an index, as plain data (to compare two indexes). */
const contents = (index: ReadonlyMap<string, unknown>) => [...index].sort((a, b) => (a[0] < b[0] ? -1 : 1));

/** A store whose syncs with 100 entries or more get a snapshot, with `count` entries in sync "s". */
async function storeWith(count: number): Promise<{ path: string; store: SqliteStateStore }> {
  const path = join(dir, `state-${++n}.sqlite`);
  const store = new SqliteStateStore(path, { indexSnapshotMinEntries: 100 });
  await store.put('s', Array.from({ length: count }, (_, i) => entry(i)));
  return { path, store };
}

/** Whether the file holds a snapshot for sync "s", read by another connection (as another process would). */
function hasSnapshot(path: string): boolean {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT 1 FROM index_snapshot_parts WHERE sync_id = 's'").get() !== undefined;
  } finally {
    db.close();
  }
}

describe('the state index as one blob (#14)', () => {
  it('reads back every id, hash, flag and time, with UTF-16 ids and hashes that are not hex', () => {
    const index = new StateIndex(2);
    index.set('a', { hash: 'f'.repeat(64), owned: true, departed: false, notFound: false, updatedAt: 5 });
    index.set('名前-ü', { hash: 'not a sha-256', owned: false, departed: true, notFound: true });
    index.set('c', { hash: 'A'.repeat(64), owned: false, departed: false });
    for (let i = 0; i < 3000; i++) index.set(`id-${i}`, { hash: snapshotHash({ properties: { i }, groups: [] }), owned: i % 2 === 0, departed: false, updatedAt: i });
    const back = decodeIndex(encodeIndex(index)) as StateIndex;
    expect(back.size).toBe(index.size);
    expect(contents(back)).toEqual(contents(index));
    // The probe table is rebuilt: every id is found at its slot, a missing one is not, and new ids can still be added.
    expect(back.slot('名前-ü')).toBe(index.slot('名前-ü'));
    expect(back.has('id-2999') && !back.has('id-3000')).toBe(true);
    back.set('id-3000', { hash: '0'.repeat(64), owned: true, departed: false });
    expect(back.get('id-3000')?.owned).toBe(true);
    expect(back.get('a')).toEqual(index.get('a'));
    // Bytes that do not start at a multiple of 8 (read in place elsewhere) are copied first.
    const shifted = Buffer.concat([Buffer.alloc(1), encodeIndex(index)]).subarray(1);
    expect(contents(decodeIndex(shifted) as StateIndex)).toEqual(contents(index));
  });

  it('is not read when cut short, of another version or not a snapshot', () => {
    const index = new StateIndex(1);
    index.set('a', { hash: 'f'.repeat(64), owned: true, departed: false });
    const data = encodeIndex(index);
    expect(decodeIndex(data.subarray(0, data.length - 20))).toBeUndefined();
    const other = Buffer.from(data);
    other.writeUInt32LE(99, 4);
    expect(decodeIndex(other)).toBeUndefined();
    expect(decodeIndex(Buffer.from('not a snapshot at all'))).toBeUndefined();
  });

  it('SQLite keeps it once a sync has enough entries, and any write drops it: put, remove, forget, or another connection', async () => {
    const { path, store } = await storeWith(300);
    const fromRows = await store.index('s');
    // Reading writes nothing (a dry run reads the index too); a run's end keeps it.
    expect(hasSnapshot(path)).toBe(false);
    await store.keepIndex('s');
    expect(hasSnapshot(path)).toBe(true);
    expect(contents(await store.index('s'))).toEqual(contents(fromRows));

    await store.put('s', [entry(5, { owned: true, departed: false, notFound: false })]);
    expect(hasSnapshot(path)).toBe(false);
    expect((await store.index('s')).get('r5')).toMatchObject({ owned: true, departed: false, notFound: false });
    await store.keepIndex('s');
    expect(hasSnapshot(path)).toBe(true);

    await store.remove('s', ['r6']);
    expect(hasSnapshot(path)).toBe(false);
    expect((await store.index('s')).has('r6')).toBe(false);

    // A writer that knows nothing of snapshots (an older version, the sqlite3 shell): the triggers drop it.
    await store.keepIndex('s');
    expect(hasSnapshot(path)).toBe(true);
    const other = new Database(path);
    other.prepare("UPDATE records SET owned = 1 - owned WHERE sync_id = 's' AND record_id = 'r7'").run();
    other.close();
    expect(hasSnapshot(path)).toBe(false);
    expect((await store.index('s')).get('r7')?.owned).toBe(true);

    await store.forgetSync('s');
    expect(hasSnapshot(path)).toBe(false);
    expect((await store.index('s')).size).toBe(0);
    await store.close();
  });

  it('SQLite keeps none below the threshold, and does not wait for another writer (nothing kept, nothing failed)', async () => {
    const small = await storeWith(99);
    await small.store.keepIndex('s');
    expect(hasSnapshot(small.path)).toBe(false);
    await small.store.close();

    const { path, store } = await storeWith(300);
    const writer = new Database(path);
    writer.prepare('BEGIN IMMEDIATE').run();
    const started = Date.now();
    await store.keepIndex('s');
    const index = await store.index('s');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(index.size).toBe(300);
    expect(hasSnapshot(path)).toBe(false);
    writer.prepare('ROLLBACK').run();
    writer.close();
    expect(hasSnapshot(path)).toBe(false);
    await store.keepIndex('s');
    expect(hasSnapshot(path)).toBe(true);
    await store.close();
  });

  it('SQLite keeps a large index in parts of at most 1 MiB, read back whole', async () => {
    const { path, store } = await storeWith(40_000);
    const fromRows = await store.index('s');
    await store.keepIndex('s');
    const db = new Database(path, { readonly: true });
    const parts = db.prepare("SELECT COUNT(*) AS n, MAX(length(data)) AS largest FROM index_snapshot_parts WHERE sync_id = 's'").get() as { n: number; largest: number };
    db.close();
    expect(parts.n).toBeGreaterThan(1);
    expect(parts.largest).toBeLessThanOrEqual(1024 * 1024);
    expect(contents(await store.index('s'))).toEqual(contents(fromRows));
    await store.close();
  });

  it('SQLite opens a read-only file made before snapshots, keeping none; a missing trigger drops every snapshot', async () => {
    const { path, store } = await storeWith(300);
    await store.keepIndex('s');
    await store.close();
    // As the file was before this change: no table, no triggers.
    const old = new Database(path);
    old.exec('DROP TRIGGER records_insert_drops_index; DROP TRIGGER records_update_drops_index; DROP TRIGGER records_delete_drops_index; DROP TABLE index_snapshot_parts;');
    old.close();
    const readOnly = new Database(path, { readonly: true });
    expect(prepareSchema(readOnly, path)).toEqual({ indexSnapshots: false });
    readOnly.close();
    // A trigger dropped by hand while a snapshot was kept: the snapshot may be stale, so it goes.
    const again = new SqliteStateStore(path, { indexSnapshotMinEntries: 100 });
    await again.keepIndex('s');
    expect(hasSnapshot(path)).toBe(true);
    await again.close();
    const hand = new Database(path);
    hand.exec('DROP TRIGGER records_update_drops_index;');
    hand.prepare("UPDATE records SET hash = 'changed' WHERE sync_id = 's' AND record_id = 'r1'").run();
    hand.close();
    const reopened = new SqliteStateStore(path, { indexSnapshotMinEntries: 100 });
    expect(hasSnapshot(path)).toBe(false);
    expect((await reopened.index('s')).get('r1')?.hash).toBe('changed');
    await reopened.close();
  });

  it('SQLite reads the rows when the snapshot is damaged', async () => {
    const { path, store } = await storeWith(300);
    await store.keepIndex('s');
    const db = new Database(path);
    db.prepare("UPDATE index_snapshot_parts SET data = substr(data, 1, 100) WHERE sync_id = 's' AND part = 0").run();
    db.close();
    expect((await store.index('s')).size).toBe(300);
    await store.close();
  });
});
