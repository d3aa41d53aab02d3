import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../src/index';

// listSyncs / forgetSync themselves are in the StateStore contract (test/state); this is SQLite's migration.
describe('SqliteStateStore: sync names', () => {
  it('opens state written before syncs kept their names (adds the column) and keeps a name from then on', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kit-state-')), 'state.sqlite');
    const old = new Database(path);
    old.exec('CREATE TABLE syncs (sync_id TEXT PRIMARY KEY, destination TEXT NOT NULL, identity TEXT NOT NULL, created_at INTEGER NOT NULL, last_run_at INTEGER NOT NULL)');
    old.exec('CREATE TABLE records (sync_id TEXT NOT NULL, record_id TEXT NOT NULL, destination_id TEXT, match_key TEXT, snapshot TEXT NOT NULL, hash TEXT NOT NULL, owned INTEGER NOT NULL, departed INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (sync_id, record_id)) WITHOUT ROWID');
    old.prepare('INSERT INTO syncs VALUES (?, ?, ?, ?, ?)').run('old', 'salesforce', '{}', 1, 2);
    old.close();
    const store = new SqliteStateStore(path);
    expect(await store.listSyncs()).toEqual([expect.objectContaining({ syncId: 'old', createdAt: 1, lastRunAt: 2, records: 0 })]);
    await store.registerSync({ syncId: 'old', destination: 'salesforce', identity: {}, name: 'legacy' });
    expect((await store.listSyncs())[0]?.name).toBe('legacy');
    await store.close();
  });
});
