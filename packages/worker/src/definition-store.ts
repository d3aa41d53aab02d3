import { DEFAULT_SCHEMA } from '@syncmodes/postgres';
import pg from 'pg';
import type { StoredSync, SyncDefinition, SyncSchedule } from './definitions';

interface Row {
  name: string;
  sync_id: string;
  destination: string;
  account_key: string;
  job: Record<string, unknown>;
  cron: string | null;
  every_ms: string | null;
  tz: string | null;
  notify_url: string | null;
  paused: boolean;
  created_at: string;
  updated_at: string;
}

const toStored = (r: Row): StoredSync => ({
  name: r.name,
  syncId: r.sync_id,
  destination: r.destination,
  accountKey: r.account_key,
  job: r.job,
  ...(r.cron ? { cron: r.cron } : {}),
  ...(r.every_ms ? { everyMs: Number(r.every_ms) } : {}),
  ...(r.tz ? { tz: r.tz } : {}),
  ...(r.notify_url ? { notifyUrl: r.notify_url } : {}),
  paused: r.paused,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

const NOW_MS = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/** The `sync_definitions` table (syncmodes schema): the syncs `schedule add` stored, by name. */
export class DefinitionStore {
  private readonly table: string;

  constructor(
    private readonly pool: pg.Pool,
    schema = DEFAULT_SCHEMA,
  ) {
    this.table = `${pg.escapeIdentifier(schema)}.sync_definitions`;
  }

  /** Creates the table when missing. */
  async prepare(): Promise<void> {
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        name text PRIMARY KEY,
        sync_id text NOT NULL,
        destination text NOT NULL,
        account_key text NOT NULL,
        job json NOT NULL,
        cron text,
        every_ms bigint,
        tz text,
        notify_url text,
        paused boolean NOT NULL DEFAULT false,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL
      )`,
    ).catch((error: { code?: string }) => {
      // Two workers creating it at the same moment: the other one won.
      if (error.code !== '23505' && error.code !== '42P07') throw error;
    });
  }

  /** Stores (or replaces) a sync and its schedule; a replaced sync keeps its paused flag. */
  async put(definition: SyncDefinition, schedule: SyncSchedule): Promise<StoredSync> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO ${this.table} (name, sync_id, destination, account_key, job, cron, every_ms, tz, notify_url, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, ${NOW_MS}, ${NOW_MS})
       ON CONFLICT (name) DO UPDATE SET sync_id = EXCLUDED.sync_id, destination = EXCLUDED.destination, account_key = EXCLUDED.account_key,
         job = EXCLUDED.job, cron = EXCLUDED.cron, every_ms = EXCLUDED.every_ms, tz = EXCLUDED.tz, notify_url = EXCLUDED.notify_url, updated_at = EXCLUDED.updated_at
       RETURNING *`,
      [
        definition.name,
        definition.syncId,
        definition.destination,
        definition.accountKey,
        JSON.stringify(definition.job),
        schedule.cron ?? null,
        schedule.everyMs ?? null,
        schedule.tz ?? null,
        schedule.notifyUrl ?? null,
      ],
    );
    return toStored(rows[0] as Row);
  }

  async get(name: string): Promise<StoredSync | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM ${this.table} WHERE name = $1`, [name]);
    return rows[0] ? toStored(rows[0]) : undefined;
  }

  async list(): Promise<StoredSync[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM ${this.table} ORDER BY name`);
    return rows.map(toStored);
  }

  /** Sets the paused flag; false when there is no such sync. */
  async setPaused(name: string, paused: boolean): Promise<boolean> {
    const { rowCount } = await this.pool.query(`UPDATE ${this.table} SET paused = $2, updated_at = ${NOW_MS} WHERE name = $1`, [name, paused]);
    return (rowCount ?? 0) > 0;
  }

  /** Forgets a sync; false when there was none. Its state and run history stay. */
  async remove(name: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.table} WHERE name = $1`, [name]);
    return (rowCount ?? 0) > 0;
  }
}
