import { DEFAULT_KEEP_RUNS, type RecordResult, type RunListing, type RunQuery, type RunRecord } from '@syncmodes/connector-kit';
import type pg from 'pg';

const CHUNK = 5_000;

function listingOf(run: RunRecord): RunListing {
  const { problems: _problems, ...listing } = run;
  return listing;
}

/** The `runs` and `run_results` tables (results go with their run: `ON DELETE CASCADE`). */
export class PgRuns {
  constructor(
    private readonly runs: string,
    private readonly results: string,
  ) {}

  /** See `StateStore.recordRun`; `client` is inside a transaction. */
  async record(client: pg.ClientBase, run: RunRecord, keep = DEFAULT_KEEP_RUNS): Promise<void> {
    await client.query(`DELETE FROM ${this.runs} WHERE run_id = $1`, [run.runId]);
    await client.query(`INSERT INTO ${this.runs} (run_id, sync_id, sync_name, status, started_at, listing) VALUES ($1, $2, $3, $4, $5, $6)`, [
      run.runId,
      run.syncId,
      run.syncName,
      run.status,
      run.startedAt,
      JSON.stringify(listingOf(run)),
    ]);
    for (let i = 0; i < run.problems.length; i += CHUNK) {
      const chunk = run.problems.slice(i, i + CHUNK);
      await client.query(`INSERT INTO ${this.results} (run_id, seq, result) SELECT $1, * FROM unnest($2::int[], $3::json[])`, [
        run.runId,
        chunk.map((_, j) => i + j),
        chunk.map((r) => JSON.stringify(r)),
      ]);
    }
    await client.query(
      // A run still `running` is kept: its job may still run, and the worker reads its history (fresh reviewer 131).
      `DELETE FROM ${this.runs} WHERE run_id IN (SELECT run_id FROM ${this.runs} WHERE sync_id = $1 ORDER BY started_at DESC, run_id DESC OFFSET $2) AND status <> 'running'`,
      [run.syncId, Math.max(0, keep)],
    );
  }

  /** See `PostgresStateStore.recordRunProgress`: replaces the listing only while the stored run is `running`. */
  async progress(client: pg.ClientBase, run: RunListing): Promise<boolean> {
    const { rowCount } = await client.query(`UPDATE ${this.runs} SET listing = $2 WHERE run_id = $1 AND status = 'running'`, [run.runId, JSON.stringify(listingOf({ ...run, problems: [] }))]);
    return (rowCount ?? 0) > 0;
  }

  async list(client: pg.ClientBase, query: RunQuery = {}): Promise<RunListing[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.syncId !== undefined) where.push(`sync_id = $${args.push(query.syncId)}`);
    if (query.syncName !== undefined) where.push(`sync_name = $${args.push(query.syncName)}`);
    const limit = `$${args.push(query.limit ?? 20)}`;
    const { rows } = await client.query<{ listing: RunListing }>(
      `SELECT listing FROM ${this.runs} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, run_id DESC LIMIT ${limit}`,
      args,
    );
    return rows.map((r) => r.listing);
  }

  /** The runs recorded for a queue job (`RunListing.jobId`), oldest first. */
  async ofJob(client: pg.ClientBase, jobId: string): Promise<RunListing[]> {
    const { rows } = await client.query<{ listing: RunListing }>(`SELECT listing FROM ${this.runs} WHERE listing->>'jobId' = $1 ORDER BY started_at, run_id`, [jobId]);
    return rows.map((r) => r.listing);
  }

  async get(client: pg.ClientBase, runId: string): Promise<RunRecord | undefined> {
    const { rows } = await client.query<{ listing: RunListing }>(`SELECT listing FROM ${this.runs} WHERE run_id = $1`, [runId]);
    if (!rows[0]) return undefined;
    const results = await client.query<{ result: RecordResult }>(`SELECT result FROM ${this.results} WHERE run_id = $1 ORDER BY seq`, [runId]);
    return { ...rows[0].listing, problems: results.rows.map((r) => r.result) };
  }
}
