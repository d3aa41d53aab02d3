import type BetterSqlite3 from 'better-sqlite3';
import type { RecordResult } from '../records/outcome';
import { listingOf } from './memory-runs';
import { DEFAULT_KEEP_RUNS, type RunListing, type RunQuery, type RunRecord } from './run-history';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  sync_id TEXT NOT NULL,
  sync_name TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  listing TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_sync ON runs (sync_id, started_at);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (started_at);
CREATE TABLE IF NOT EXISTS run_results (
  run_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  result TEXT NOT NULL,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
`;

/** The run history of a SQLite state store: `runs` (one JSON listing per run) and `run_results` (its failed and skipped records). */
export class SqliteRuns {
  constructor(private readonly db: BetterSqlite3.Database) {
    db.exec(SCHEMA);
  }

  /** See `StateStore.recordRun`: one transaction. */
  record(run: RunRecord, keep = DEFAULT_KEEP_RUNS): void {
    const insertResult = this.db.prepare('INSERT INTO run_results (run_id, seq, result) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.forget([run.runId]);
      this.db
        .prepare('INSERT INTO runs (run_id, sync_id, sync_name, started_at, listing) VALUES (?, ?, ?, ?, ?)')
        .run(run.runId, run.syncId, run.syncName, run.startedAt, JSON.stringify(listingOf(run)));
      run.problems.forEach((r, seq) => insertResult.run(run.runId, seq, JSON.stringify(r)));
      const old = this.db
        .prepare("SELECT run_id, json_extract(listing, '$.status') AS status FROM runs WHERE sync_id = ? ORDER BY started_at DESC, run_id DESC LIMIT -1 OFFSET ?")
        .all(run.syncId, Math.max(0, keep)) as { run_id: string; status: string }[];
      // A run still `running` is kept until it is closed (see `StateStore.recordRun`).
      this.forget(old.filter((r) => r.status !== 'running').map((r) => r.run_id));
    }).immediate();
  }

  private forget(runIds: readonly string[]): void {
    const delRun = this.db.prepare('DELETE FROM runs WHERE run_id = ?');
    const delResults = this.db.prepare('DELETE FROM run_results WHERE run_id = ?');
    for (const id of runIds) {
      delRun.run(id);
      delResults.run(id);
    }
  }

  list(query: RunQuery = {}): RunListing[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.syncId !== undefined) {
      where.push('sync_id = ?');
      args.push(query.syncId);
    }
    if (query.syncName !== undefined) {
      where.push('sync_name = ?');
      args.push(query.syncName);
    }
    const sql = `SELECT listing FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, run_id DESC LIMIT ?`;
    return (this.db.prepare(sql).pluck().all(...args, query.limit ?? 20) as string[]).map((l) => JSON.parse(l) as RunListing);
  }

  get(runId: string): RunRecord | undefined {
    const listing = this.db.prepare('SELECT listing FROM runs WHERE run_id = ?').pluck().get(runId) as string | undefined;
    if (listing === undefined) return undefined;
    const problems = (this.db.prepare('SELECT result FROM run_results WHERE run_id = ? ORDER BY seq').pluck().all(runId) as string[]).map(
      (r) => JSON.parse(r) as RecordResult,
    );
    return { ...(JSON.parse(listing) as RunListing), problems };
  }
}
