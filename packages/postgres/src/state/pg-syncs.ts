import { SyncRunningError, type SyncInfo, type SyncListing } from '@syncmodes/connector-kit';
import type pg from 'pg';
import { NOW_MS } from './pg-schema';

interface SyncRow {
  sync_id: string;
  destination: string;
  identity: Record<string, unknown>;
  name: string | null;
  created_at: string;
  last_run_at: string;
  last_written_at: string | null;
  records: number;
  owned: number;
  departed: number;
  not_found: number;
  pending: number;
}

const toListing = (r: SyncRow): SyncListing => ({
  syncId: r.sync_id,
  destination: r.destination,
  identity: r.identity,
  ...(r.name !== null ? { name: r.name } : {}),
  createdAt: Number(r.created_at),
  lastRunAt: Number(r.last_run_at),
  ...(r.last_written_at !== null ? { lastWrittenAt: Number(r.last_written_at) } : {}),
  records: r.records,
  owned: r.owned,
  departed: r.departed,
  notFound: r.not_found,
  pending: r.pending,
});

/** The `syncs` table: what each sync is (destination, identity, name) and when it last ran. */
export class PgSyncs {
  constructor(
    private readonly syncs: string,
    private readonly records: string,
    private readonly leases: string,
  ) {}

  async register(client: pg.ClientBase, info: SyncInfo): Promise<void> {
    await client.query(
      `INSERT INTO ${this.syncs} (sync_id, destination, identity, created_at, last_run_at, name) VALUES ($1, $2, $3, ${NOW_MS}, ${NOW_MS}, $4)
       ON CONFLICT (sync_id) DO UPDATE SET last_run_at = EXCLUDED.last_run_at, name = COALESCE(EXCLUDED.name, ${this.syncs}.name)`,
      [info.syncId, info.destination, JSON.stringify(info.identity), info.name ?? null],
    );
  }

  /** See `StateStore.listSyncs`. */
  async list(client: pg.ClientBase): Promise<SyncListing[]> {
    const { rows } = await client.query<SyncRow>(
      `SELECT s.sync_id, s.destination, s.identity, s.name, s.created_at, s.last_run_at,
              max(r.updated_at) AS last_written_at, count(r.record_id)::int AS records,
              count(*) FILTER (WHERE r.owned AND NOT r.departed)::int AS owned, count(*) FILTER (WHERE r.departed)::int AS departed,
              count(*) FILTER (WHERE r.not_found)::int AS not_found, count(*) FILTER (WHERE r.pending)::int AS pending
       FROM ${this.syncs} s LEFT JOIN ${this.records} r ON r.sync_id = s.sync_id
       GROUP BY s.sync_id ORDER BY s.last_run_at DESC, s.sync_id COLLATE "C"`,
    );
    return rows.map(toListing);
  }

  /** See `StateStore.trackedElsewhere`: by destination id, the other syncs of the same destination that track it as in their source. */
  async trackedElsewhere(client: pg.ClientBase, syncId: string, destinationIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (let i = 0; i < destinationIds.length; i += 5_000) {
      const { rows } = await client.query<{ destination_id: string; sync: string }>(
        `SELECT DISTINCT r.destination_id, COALESCE(s.name, s.sync_id) AS sync
         FROM ${this.syncs} s JOIN ${this.records} r ON r.sync_id = s.sync_id
         WHERE s.destination = (SELECT destination FROM ${this.syncs} WHERE sync_id = $1) AND s.sync_id <> $1
           AND r.destination_id = ANY($2::text[]) AND NOT r.departed AND NOT r.not_found`,
        [syncId, destinationIds.slice(i, i + 5_000)],
      );
      for (const row of rows) out.set(row.destination_id, [...(out.get(row.destination_id) ?? []), row.sync]);
    }
    return out;
  }

  /** See `StateStore.forgetSync`; `client` is inside a transaction. @throws `SyncRunningError` while a run holds the lease. */
  async forget(client: pg.ClientBase, syncId: string): Promise<number> {
    const { rows } = await client.query<{ holder: string; acquired_at: string; expires_at: string; now: string }>(
      `SELECT holder, acquired_at, expires_at, ${NOW_MS} AS now FROM ${this.leases} WHERE sync_id = $1 FOR UPDATE`,
      [syncId],
    );
    const lease = rows[0];
    if (lease && lease.holder !== '' && Number(lease.expires_at) > Number(lease.now)) {
      throw new SyncRunningError(syncId, lease.holder, Number(lease.acquired_at), Number(lease.expires_at));
    }
    // A holder whose lease expired (a run paused past it) is fenced: it must not write the forgotten state back (fresh reviewer 119, F4).
    await client.query(`UPDATE ${this.leases} SET holder = '', expires_at = 0, epoch = epoch + 1 WHERE sync_id = $1`, [syncId]);
    const removed = await client.query(`DELETE FROM ${this.records} WHERE sync_id = $1`, [syncId]);
    await client.query(`DELETE FROM ${this.syncs} WHERE sync_id = $1`, [syncId]);
    return removed.rowCount ?? 0;
  }
}
