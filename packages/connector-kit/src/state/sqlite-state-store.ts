import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RecordSnapshot } from '../records/types';
import { StateIndex } from './state-index';
import type { StateEntry, StateStore, SyncInfo, SyncListing } from './state-store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS syncs (
  sync_id TEXT PRIMARY KEY,
  destination TEXT NOT NULL,
  identity TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_run_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS records (
  sync_id TEXT NOT NULL,
  record_id TEXT NOT NULL,
  destination_id TEXT,
  match_key TEXT,
  snapshot TEXT NOT NULL,
  hash TEXT NOT NULL,
  owned INTEGER NOT NULL,
  departed INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  not_found INTEGER NOT NULL DEFAULT 0,
  pending INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (sync_id, record_id)
) WITHOUT ROWID;
`;

interface Row {
  record_id: string;
  destination_id: string | null;
  match_key: string | null;
  snapshot: string;
  hash: string;
  owned: number;
  departed: number;
  not_found: number;
  pending: number;
}

/** A row of the sync listing query. */
interface SyncRow {
  sync_id: string;
  destination: string;
  identity: string;
  name: string | null;
  created_at: number;
  last_run_at: number;
  last_written_at: number | null;
  records: number;
  owned: number;
  departed: number;
  not_found: number;
  pending: number;
}

const CHUNK = 500;

/**
 * {@link StateStore} on SQLite (better-sqlite3), in WAL mode with synchronous commits.
 *
 * @param path - database file (parent folders are created), or `:memory:` for tests.
 */
export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;
  private readonly del: Database.Statement;

  constructor(readonly path: string = ':memory:') {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const columns = this.db.prepare('PRAGMA table_info(records)').all() as { name: string }[];
    if (!columns.some((c) => c.name === 'not_found')) {
      // State written before not-found records were remembered.
      this.db.exec('ALTER TABLE records ADD COLUMN not_found INTEGER NOT NULL DEFAULT 0');
    }
    if (!columns.some((c) => c.name === 'pending')) {
      // State written before in-flight writes were marked.
      this.db.exec('ALTER TABLE records ADD COLUMN pending INTEGER NOT NULL DEFAULT 0');
    }
    const syncColumns = this.db.prepare('PRAGMA table_info(syncs)').all() as { name: string }[];
    if (!syncColumns.some((c) => c.name === 'name')) {
      // State written before syncs kept their names.
      this.db.exec('ALTER TABLE syncs ADD COLUMN name TEXT');
    }
    this.upsert = this.db.prepare(
      `INSERT OR REPLACE INTO records (sync_id, record_id, destination_id, match_key, snapshot, hash, owned, departed, updated_at, not_found, pending)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.del = this.db.prepare('DELETE FROM records WHERE sync_id = ? AND record_id = ?');
  }

  registerSync(info: SyncInfo): void {
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO syncs (sync_id, destination, identity, created_at, last_run_at, name) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(sync_id) DO UPDATE SET last_run_at = excluded.last_run_at, name = COALESCE(excluded.name, syncs.name)`,
      )
      .run(info.syncId, info.destination, JSON.stringify(info.identity), now, now, info.name ?? null);
  }

  async listSyncs(): Promise<SyncListing[]> {
    const rows = this.db
      .prepare(
        `SELECT s.sync_id, s.destination, s.identity, s.name, s.created_at, s.last_run_at,
                MAX(r.updated_at) AS last_written_at, COUNT(r.record_id) AS records,
                COALESCE(SUM(r.owned = 1 AND r.departed = 0), 0) AS owned, COALESCE(SUM(r.departed), 0) AS departed,
                COALESCE(SUM(r.not_found), 0) AS not_found, COALESCE(SUM(r.pending), 0) AS pending
         FROM syncs s LEFT JOIN records r ON r.sync_id = s.sync_id
         GROUP BY s.sync_id ORDER BY s.last_run_at DESC, s.sync_id`,
      )
      .all() as SyncRow[];
    return rows.map((r) => ({
      syncId: r.sync_id,
      destination: r.destination,
      identity: JSON.parse(r.identity) as Record<string, unknown>,
      ...(r.name !== null ? { name: r.name } : {}),
      createdAt: r.created_at,
      lastRunAt: r.last_run_at,
      ...(r.last_written_at !== null ? { lastWrittenAt: r.last_written_at } : {}),
      records: r.records,
      owned: r.owned,
      departed: r.departed,
      notFound: r.not_found,
      pending: r.pending,
    }));
  }

  async forgetSync(syncId: string): Promise<number> {
    return this.db.transaction(() => {
      const removed = this.db.prepare('DELETE FROM records WHERE sync_id = ?').run(syncId).changes;
      this.db.prepare('DELETE FROM syncs WHERE sync_id = ?').run(syncId);
      return removed;
    })();
  }

  index(syncId: string): StateIndex {
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM records WHERE sync_id = ?').get(syncId) as { n: number };
    const out = new StateIndex(n);
    // Rows as arrays (no object per row): record_id, hash, owned, departed, not_found, updated_at.
    const stmt = this.db.prepare('SELECT record_id, hash, owned, departed, not_found, updated_at FROM records WHERE sync_id = ?').raw(true);
    for (const row of stmt.iterate(syncId) as IterableIterator<[string, string, number, number, number, number]>) {
      out.set(row[0], { hash: row[1], owned: row[2] === 1, departed: row[3] === 1, notFound: row[4] === 1, updatedAt: row[5] });
    }
    return out;
  }

  get(syncId: string, recordIds: readonly string[]): Map<string, StateEntry> {
    const out = new Map<string, StateEntry>();
    for (let i = 0; i < recordIds.length; i += CHUNK) {
      const ids = recordIds.slice(i, i + CHUNK);
      const rows = this.db
        .prepare(
          `SELECT record_id, destination_id, match_key, snapshot, hash, owned, departed, not_found, pending FROM records
           WHERE sync_id = ? AND record_id IN (${ids.map(() => '?').join(',')})`,
        )
        .all(syncId, ...ids) as Row[];
      for (const row of rows) {
        out.set(row.record_id, {
          recordId: row.record_id,
          destinationId: row.destination_id,
          matchKey: row.match_key,
          snapshot: JSON.parse(row.snapshot) as RecordSnapshot,
          hash: row.hash,
          owned: row.owned === 1,
          departed: row.departed === 1,
          notFound: row.not_found === 1,
          pending: row.pending === 1,
        });
      }
    }
    return out;
  }

  put(syncId: string, entries: readonly StateEntry[]): void {
    const now = Date.now();
    this.db.transaction(() => {
      for (const e of entries) {
        this.upsert.run(
          syncId,
          e.recordId,
          e.destinationId,
          e.matchKey,
          JSON.stringify(e.snapshot),
          e.hash,
          e.owned ? 1 : 0,
          e.departed ? 1 : 0,
          now,
          e.notFound ? 1 : 0,
          e.pending ? 1 : 0,
        );
      }
    })();
  }

  remove(syncId: string, recordIds: readonly string[]): void {
    this.db.transaction(() => {
      for (const id of recordIds) this.del.run(syncId, id);
    })();
  }

  count(syncId: string, filter: 'all' | 'owned' = 'all'): number {
    const sql =
      filter === 'owned'
        ? 'SELECT COUNT(*) AS n FROM records WHERE sync_id = ? AND owned = 1 AND departed = 0'
        : 'SELECT COUNT(*) AS n FROM records WHERE sync_id = ?';
    return (this.db.prepare(sql).get(syncId) as { n: number }).n;
  }

  close(): void {
    this.db.close();
  }
}
