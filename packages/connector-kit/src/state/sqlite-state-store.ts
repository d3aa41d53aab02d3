import type BetterSqlite3 from 'better-sqlite3';
import type { RecordSnapshot } from '../records/types';
import { loadSqlite } from './load-sqlite';
import { FORGETTING, OPENING, sqliteStoreError } from './sqlite-errors';
import { openCopy, openStateFile } from './sqlite-file';
import { SqliteLeases } from './sqlite-leases';
import { SqliteRuns } from './sqlite-runs';
import { prepareSchema } from './sqlite-schema';
import type { RunListing, RunQuery, RunRecord } from './run-history';
import { decodeIndex, encodeIndex } from './index-snapshot';
import { StateIndex } from './state-index';
import type { AcquireLeaseOptions, StateEntry, StateStore, SyncInfo, SyncLease, SyncListing } from './state-store';

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

const toListing = (r: SyncRow): SyncListing => ({
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
});

const CHUNK = 500;

/** Entries from which {@link SqliteStateStore.keepIndex} keeps a sync's index as bytes beside its rows (below, reading the rows takes under 0.2 s). */
export const INDEX_SNAPSHOT_MIN_RECORDS = 50_000;

/** Bytes a part of a kept index holds at most: reading one never holds a whole index twice (SQLite's copy of a 57 MB blob, then Node's). */
const SNAPSHOT_PART_BYTES = 1024 * 1024;
const COLUMNS = 'record_id, destination_id, match_key, snapshot, hash, owned, departed, not_found, pending';

const toEntry = (row: Row): StateEntry => ({
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

/** How {@link SqliteStateStore} opens its file. */
export interface SqliteStateStoreOptions {
  /**
   * Read the file into memory and work on that copy (see `openCopy`): for commands that only
   * read (listing syncs and runs) where the file or its folder cannot be written. Anything
   * written goes to the copy and is lost when the store closes. Default false.
   */
  readonly readOnlyCopy?: boolean;
  /** Entries from which a sync's index is kept as bytes (see {@link SqliteStateStore.keepIndex}). Default {@link INDEX_SNAPSHOT_MIN_RECORDS}. */
  readonly indexSnapshotMinEntries?: number;
}

/**
 * {@link StateStore} on SQLite (better-sqlite3, loaded on first use), in WAL mode with
 * synchronous commits; its synchronous calls are wrapped in promises.
 *
 * @param path - database file (parent folders are created), or `:memory:` for tests.
 * @param options - {@link SqliteStateStoreOptions}.
 * @throws `StateStoreError` `state_unreadable` for an empty file, a folder, a corrupted
 *   file or another application's database; `state_unwritable` when it cannot be opened
 *   for writing. `ConfigError` `state_store_unavailable` without better-sqlite3.
 */
export class SqliteStateStore implements StateStore {
  private readonly db: BetterSqlite3.Database;
  private readonly upsert: BetterSqlite3.Statement;
  private readonly del: BetterSqlite3.Statement;
  private readonly leases: SqliteLeases;
  private readonly runs: SqliteRuns;
  private readonly snapshotMinEntries: number;
  /** The file can keep index snapshots (see `prepareSchema`): not a read-only file made before them. */
  private readonly snapshots: boolean = false;
  /** Syncs whose index this store read from a snapshot that decoded (see {@link SqliteStateStore.keepIndex}). */
  private readonly readFromSnapshot = new Set<string>();

  constructor(
    readonly path: string = ':memory:',
    options: SqliteStateStoreOptions = {},
  ) {
    this.snapshotMinEntries = options.indexSnapshotMinEntries ?? INDEX_SNAPSHOT_MIN_RECORDS;
    const Database = loadSqlite();
    try {
      this.db = options.readOnlyCopy ? openCopy(Database, path) : openStateFile(Database, path);
      if (!options.readOnlyCopy) {
        this.db.pragma('journal_mode = WAL');
        this.db.pragma('synchronous = NORMAL');
      }
      this.snapshots = prepareSchema(this.db, path).indexSnapshots;
    } catch (error) {
      throw sqliteStoreError(error, path, OPENING);
    }
    this.upsert = this.db.prepare(
      `INSERT OR REPLACE INTO records (sync_id, record_id, destination_id, match_key, snapshot, hash, owned, departed, updated_at, not_found, pending)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.del = this.db.prepare('DELETE FROM records WHERE sync_id = ? AND record_id = ?');
    this.leases = new SqliteLeases(this.db);
    try {
      this.runs = new SqliteRuns(this.db);
    } catch (error) {
      throw sqliteStoreError(error, path, OPENING);
    }
  }

  /** Runs `fn`, turning SQLite and file-system errors into the store's typed errors. */
  private guard<T>(doing: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn());
    } catch (error) {
      return Promise.reject(sqliteStoreError(error, this.path, doing));
    }
  }

  registerSync(info: SyncInfo): Promise<void> {
    return this.guard('registering the sync', () => {
      const now = Date.now();
      this.db
        .prepare(
          `INSERT INTO syncs (sync_id, destination, identity, created_at, last_run_at, name) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT(sync_id) DO UPDATE SET last_run_at = excluded.last_run_at, name = COALESCE(excluded.name, syncs.name)`,
        )
        .run(info.syncId, info.destination, JSON.stringify(info.identity), now, now, info.name ?? null);
    });
  }

  listSyncs(): Promise<SyncListing[]> {
    return this.guard('listing the syncs', () => {
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
      return rows.map(toListing);
    });
  }

  forgetSync(syncId: string): Promise<number> {
    return this.guard(FORGETTING, () =>
      this.db
        .transaction((): number => {
          // A run in progress keeps its sync: it would write its state back.
          this.leases.refuseIfHeld(syncId);
          // A holder whose lease expired (a run paused past it) is fenced: it must not write the forgotten state back.
          this.db.prepare("UPDATE leases SET holder = '', expires_at = 0, epoch = epoch + 1 WHERE sync_id = ?").run(syncId);
          const removed = this.db.prepare('DELETE FROM records WHERE sync_id = ?').run(syncId).changes;
          this.db.prepare('DELETE FROM syncs WHERE sync_id = ?').run(syncId);
          return removed;
        })
        .immediate(),
    );
  }

  acquireLease(syncId: string, options: AcquireLeaseOptions): Promise<SyncLease> {
    return this.guard('taking the sync’s lease', () => this.leases.acquire(syncId, options));
  }

  renewLease(lease: SyncLease, ttlMs: number): Promise<void> {
    return this.guard('renewing the sync’s lease', () => this.leases.renew(lease, ttlMs));
  }

  releaseLease(lease: SyncLease): Promise<void> {
    return this.guard('releasing the sync’s lease', () => this.leases.release(lease));
  }

  /** The index from the sync's snapshot when it has one (see {@link SqliteStateStore.keepIndex}), else from its rows. Writes nothing. */
  index(syncId: string): Promise<StateIndex> {
    return this.guard('reading the state index', () => {
      if (!this.snapshots) return this.indexFromRows(syncId);
      return this.db.transaction(() => this.keptIndex(syncId) ?? this.indexFromRows(syncId)).deferred();
    });
  }

  /**
   * Keeps the sync's index as bytes beside its rows (in parts of at most 1 MiB), when it has
   * at least {@link INDEX_SNAPSHOT_MIN_RECORDS} entries (`indexSnapshotMinEntries`) and no
   * usable snapshot yet, so that the next run reads it at once (a million entries: about
   * 3.5 s to read and index row by row, 0.5 s from the snapshot). Any later write to the
   * sync's records drops the snapshot (triggers, see `sqlite-schema.ts`), so it never
   * differs from the rows.
   *
   * The rows are read in a read transaction, which keeping them must then turn into a write
   * one: when another connection wrote meanwhile SQLite refuses (`SQLITE_BUSY_SNAPSHOT`), and
   * when another holds the write lock this does not wait for it (busy timeout 0 for that
   * statement); either way, or when the write fails for any other reason (disk full, a
   * read-only file), nothing is kept and nothing fails.
   */
  keepIndex(syncId: string): Promise<void> {
    return this.guard('keeping the state index', () => {
      if (!this.snapshots) return;
      const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
      try {
        this.db
          .transaction(() => {
            // Read from a snapshot that decoded, and still there (no write dropped it): nothing to do.
            if (this.readFromSnapshot.has(syncId) && this.db.prepare('SELECT 1 FROM index_snapshot_parts WHERE sync_id = ? LIMIT 1').get(syncId)) return;
            if (this.keptIndex(syncId) !== undefined) return;
            const index = this.indexFromRows(syncId);
            if (index.size < this.snapshotMinEntries) return;
            this.db.pragma('busy_timeout = 0');
            this.keep(syncId, index);
          })
          .deferred();
      } catch {
        // Keeping is an optimisation: the next run reads the rows.
      } finally {
        this.db.pragma(`busy_timeout = ${timeout}`);
      }
    });
  }

  /** The kept snapshot's parts, one after another in one buffer (no part held twice), decoded; `undefined` when there is none or it does not decode. */
  private keptIndex(syncId: string): StateIndex | undefined {
    const { bytes } = this.db.prepare('SELECT SUM(length(data)) AS bytes FROM index_snapshot_parts WHERE sync_id = ?').get(syncId) as { bytes: number | null };
    if (bytes === null) return undefined;
    const data = new Uint8Array(bytes);
    let at = 0;
    for (const { data: part } of this.db.prepare('SELECT data FROM index_snapshot_parts WHERE sync_id = ? ORDER BY part').iterate(syncId) as IterableIterator<{ data: Uint8Array }>) {
      data.set(part, at);
      at += part.length;
    }
    const index = decodeIndex(data);
    if (index === undefined) this.readFromSnapshot.delete(syncId);
    else this.readFromSnapshot.add(syncId);
    return index;
  }

  /** Writes `index` as the sync's snapshot, in parts of at most {@link SNAPSHOT_PART_BYTES}. */
  private keep(syncId: string, index: StateIndex): void {
    const insert = this.db.prepare('INSERT INTO index_snapshot_parts (sync_id, part, data) VALUES (?, ?, ?)');
    this.db.prepare('DELETE FROM index_snapshot_parts WHERE sync_id = ?').run(syncId);
    let part = 0;
    for (const piece of encodeIndex(index)) {
      for (let at = 0; at < piece.length; at += SNAPSHOT_PART_BYTES) insert.run(syncId, part++, piece.subarray(at, at + SNAPSHOT_PART_BYTES));
    }
  }

  private indexFromRows(syncId: string): StateIndex {
    const { n } = this.db.prepare('SELECT COUNT(*) AS n FROM records WHERE sync_id = ?').get(syncId) as { n: number };
    const out = new StateIndex(n);
    // Rows as arrays (no object per row): record_id, hash, owned, departed, not_found, updated_at.
    const stmt = this.db.prepare('SELECT record_id, hash, owned, departed, not_found, updated_at FROM records WHERE sync_id = ?').raw(true);
    for (const row of stmt.iterate(syncId) as IterableIterator<[string, string, number, number, number, number]>) {
      out.set(row[0], { hash: row[1], owned: row[2] === 1, departed: row[3] === 1, notFound: row[4] === 1, updatedAt: row[5] });
    }
    return out;
  }

  get(syncId: string, recordIds: readonly string[]): Promise<Map<string, StateEntry>> {
    return this.guard('reading state entries', () => {
      const out = new Map<string, StateEntry>();
      for (let i = 0; i < recordIds.length; i += CHUNK) {
        const ids = recordIds.slice(i, i + CHUNK);
        const sql = `SELECT ${COLUMNS} FROM records WHERE sync_id = ? AND record_id IN (${ids.map(() => '?').join(',')})`;
        for (const row of this.db.prepare(sql).all(syncId, ...ids) as Row[]) out.set(row.record_id, toEntry(row));
      }
      return out;
    });
  }

  findByDestinationIds(syncId: string, destinationIds: readonly string[]): Promise<StateEntry[]> {
    return this.guard('reading state entries', () => {
      const out: StateEntry[] = [];
      for (let i = 0; i < destinationIds.length; i += CHUNK) {
        const ids = destinationIds.slice(i, i + CHUNK);
        const sql = `SELECT ${COLUMNS} FROM records WHERE sync_id = ? AND destination_id IN (${ids.map(() => '?').join(',')})`;
        for (const row of this.db.prepare(sql).all(syncId, ...ids) as Row[]) out.push(toEntry(row));
      }
      return out;
    });
  }

  trackedElsewhere(syncId: string, destinationIds: readonly string[]): Promise<Map<string, string[]>> {
    return this.guard('reading other syncs’ state', () => {
      const out = new Map<string, string[]>();
      if (destinationIds.length === 0) return out;
      const others = this.db
        .prepare('SELECT sync_id, name FROM syncs WHERE destination = (SELECT destination FROM syncs WHERE sync_id = ?) AND sync_id <> ?')
        .all(syncId, syncId) as { sync_id: string; name: string | null }[];
      for (const other of others) {
        for (let i = 0; i < destinationIds.length; i += CHUNK) {
          const ids = destinationIds.slice(i, i + CHUNK);
          const sql = `SELECT DISTINCT destination_id FROM records WHERE sync_id = ? AND destination_id IN (${ids.map(() => '?').join(',')}) AND departed = 0 AND not_found = 0`;
          for (const row of this.db.prepare(sql).all(other.sync_id, ...ids) as { destination_id: string }[]) {
            const list = out.get(row.destination_id) ?? [];
            list.push(other.name ?? other.sync_id);
            out.set(row.destination_id, list);
          }
        }
      }
      return out;
    });
  }

  put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.guard('writing state', () => {
      const now = Date.now();
      // IMMEDIATE: the write lock first (waiting the busy timeout for another process), then the
      // lease check. A deferred transaction reads first, and SQLite answers its later write with
      // SQLITE_BUSY at once when another process wrote meanwhile (seen with two runs on one file).
      this.db.transaction(() => {
        if (lease) this.leases.check(lease);
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
      }).immediate();
    });
  }

  remove(syncId: string, recordIds: readonly string[], lease?: SyncLease): Promise<void> {
    if (recordIds.length === 0) return Promise.resolve();
    return this.guard('writing state', () => {
      this.db.transaction(() => {
        if (lease) this.leases.check(lease);
        for (const id of recordIds) this.del.run(syncId, id);
      }).immediate();
    });
  }

  count(syncId: string, filter: 'all' | 'owned' = 'all'): Promise<number> {
    return this.guard('counting state entries', () => {
      const sql =
        filter === 'owned'
          ? 'SELECT COUNT(*) AS n FROM records WHERE sync_id = ? AND owned = 1 AND departed = 0'
          : 'SELECT COUNT(*) AS n FROM records WHERE sync_id = ?';
      return (this.db.prepare(sql).get(syncId) as { n: number }).n;
    });
  }

  recordRun(run: RunRecord, keep?: number): Promise<void> {
    return this.guard('recording the run', () => this.runs.record(run, keep));
  }

  listRuns(query?: RunQuery): Promise<RunListing[]> {
    return this.guard('reading the run history', () => this.runs.list(query));
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.guard('reading the run history', () => this.runs.get(runId));
  }

  groupCounts(syncId: string, groups: readonly string[]): Promise<Map<string, number>> {
    return this.guard('counting group members', () => {
      const out = new Map<string, number>();
      for (let i = 0; i < groups.length; i += CHUNK) {
        const names = groups.slice(i, i + CHUNK);
        const sql = `SELECT g.value AS name, COUNT(*) AS n FROM records r, json_each(r.snapshot, '$.groups') g
                     WHERE r.sync_id = ? AND g.value IN (${names.map(() => '?').join(',')}) GROUP BY g.value`;
        for (const row of this.db.prepare(sql).all(syncId, ...names) as { name: string; n: number }[]) out.set(row.name, row.n);
      }
      return out;
    });
  }

  entriesInGroup(syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }): Promise<StateEntry[]> {
    return this.guard('reading group members', () => {
      const sql = `SELECT ${COLUMNS} FROM records r WHERE r.sync_id = ? AND r.record_id > ?
                   AND EXISTS (SELECT 1 FROM json_each(r.snapshot, '$.groups') g WHERE g.value = ?) ORDER BY r.record_id LIMIT ?`;
      return (this.db.prepare(sql).all(syncId, page.after ?? '', group, page.limit) as Row[]).map(toEntry);
    });
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
