import type pg from 'pg';

/** The schema syncmodes keeps its tables in, beside pg-boss's own (`pgboss`). */
export const DEFAULT_SCHEMA = 'syncmodes';

/** Times are epoch ms from the database server's clock (the one clock every machine shares). */
export const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** The tables, in schema `s` (an escaped identifier). Every statement is idempotent. */
function ddl(s: string): string {
  return `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.syncs (
  sync_id text PRIMARY KEY,
  destination text NOT NULL,
  identity json NOT NULL,
  created_at bigint NOT NULL,
  last_run_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.records (
  sync_id text NOT NULL,
  record_id text NOT NULL,
  destination_id text,
  match_key text,
  snapshot json NOT NULL,
  hash text NOT NULL,
  owned boolean NOT NULL,
  departed boolean NOT NULL,
  not_found boolean NOT NULL DEFAULT false,
  pending boolean NOT NULL DEFAULT false,
  updated_at bigint NOT NULL,
  PRIMARY KEY (sync_id, record_id)
);
CREATE INDEX IF NOT EXISTS records_by_destination ON ${s}.records (sync_id, destination_id);
ALTER TABLE ${s}.syncs ADD COLUMN IF NOT EXISTS name text;
CREATE TABLE IF NOT EXISTS ${s}.leases (
  sync_id text PRIMARY KEY,
  holder text NOT NULL,
  epoch bigint NOT NULL,
  acquired_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS ${s}.runs (
  run_id text PRIMARY KEY,
  sync_id text NOT NULL,
  sync_name text NOT NULL,
  status text NOT NULL,
  started_at bigint NOT NULL,
  listing json NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_sync ON ${s}.runs (sync_id, started_at DESC);
CREATE INDEX IF NOT EXISTS runs_by_name ON ${s}.runs (sync_name, started_at DESC);
CREATE INDEX IF NOT EXISTS runs_by_start ON ${s}.runs (started_at DESC);
CREATE INDEX IF NOT EXISTS runs_by_job ON ${s}.runs ((listing->>'jobId'));
CREATE TABLE IF NOT EXISTS ${s}.run_results (
  run_id text NOT NULL REFERENCES ${s}.runs (run_id) ON DELETE CASCADE,
  seq integer NOT NULL,
  result json NOT NULL,
  PRIMARY KEY (run_id, seq)
);
`;
}

/**
 * Creates the syncmodes schema and its tables when missing. Several workers may start at
 * once: the statements run in one transaction under an advisory lock, so they never race.
 */
export async function ensureSchema(client: pg.ClientBase, schema: string, escape: (name: string) => string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`syncmodes-schema:${schema}`]);
    await client.query(ddl(escape(schema)));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
