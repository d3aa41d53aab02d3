import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore, type StateEntry } from '../../src/index';

const entry = (recordId: string, flags: Partial<StateEntry> = {}): StateEntry => ({
  recordId,
  destinationId: `d-${recordId}`,
  matchKey: `${recordId}@example.com`,
  snapshot: { properties: {}, groups: [] },
  hash: 'h',
  owned: true,
  departed: false,
  ...flags,
});

describe('SqliteStateStore: listing and forgetting syncs', () => {
  it('lists each sync with its name, identity and counts (owned excludes departed), most recently run first', async () => {
    const store = new SqliteStateStore();
    store.registerSync({ syncId: 'aaa', destination: 'salesforce', identity: { object: 'Contact' }, name: 'customers' });
    store.put('aaa', [entry('1'), entry('2'), entry('3', { departed: true }), entry('4', { owned: false, notFound: true }), entry('5', { pending: true })]);
    await new Promise((r) => setTimeout(r, 5));
    store.registerSync({ syncId: 'bbb', destination: 'intercom', identity: {} });
    const syncs = await store.listSyncs();
    expect(syncs.map((s) => s.syncId)).toEqual(['bbb', 'aaa']);
    expect(syncs[1]).toMatchObject({ name: 'customers', destination: 'salesforce', identity: { object: 'Contact' }, records: 5, owned: 3, departed: 1, notFound: 1, pending: 1 });
    expect(syncs[1]?.lastWrittenAt).toBeGreaterThan(0);
    expect(syncs[0]).toMatchObject({ records: 0, owned: 0 });
    expect(syncs[0]).not.toHaveProperty('name');
    expect(syncs[0]).not.toHaveProperty('lastWrittenAt');
    store.close();
  });

  it('registering again without a name keeps the name', async () => {
    const store = new SqliteStateStore();
    store.registerSync({ syncId: 'aaa', destination: 'salesforce', identity: {}, name: 'customers' });
    store.registerSync({ syncId: 'aaa', destination: 'salesforce', identity: {} });
    expect((await store.listSyncs())[0]?.name).toBe('customers');
    store.close();
  });

  it('forgetSync removes the sync and only its entries, and says how many', async () => {
    const store = new SqliteStateStore();
    store.registerSync({ syncId: 'aaa', destination: 'salesforce', identity: {} });
    store.registerSync({ syncId: 'bbb', destination: 'salesforce', identity: {} });
    store.put('aaa', [entry('1'), entry('2')]);
    store.put('bbb', [entry('1')]);
    expect(await store.forgetSync('aaa')).toBe(2);
    expect(await store.forgetSync('nope')).toBe(0);
    expect((await store.listSyncs()).map((s) => s.syncId)).toEqual(['bbb']);
    expect(store.count('bbb')).toBe(1);
    expect(store.count('aaa')).toBe(0);
    store.close();
  });

  it('opens state written before syncs kept their names (adds the column)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kit-state-')), 'state.sqlite');
    const old = new Database(path);
    old.exec('CREATE TABLE syncs (sync_id TEXT PRIMARY KEY, destination TEXT NOT NULL, identity TEXT NOT NULL, created_at INTEGER NOT NULL, last_run_at INTEGER NOT NULL)');
    old.prepare('INSERT INTO syncs VALUES (?, ?, ?, ?, ?)').run('old', 'salesforce', '{}', 1, 2);
    old.close();
    const store = new SqliteStateStore(path);
    expect(await store.listSyncs()).toEqual([expect.objectContaining({ syncId: 'old', createdAt: 1, lastRunAt: 2, records: 0 })]);
    store.registerSync({ syncId: 'old', destination: 'salesforce', identity: {}, name: 'legacy' });
    expect((await store.listSyncs())[0]?.name).toBe('legacy');
    store.close();
  });
});
