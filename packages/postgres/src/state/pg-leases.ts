import { LeaseLostError, SyncRunningError, type AcquireLeaseOptions, type LeaseInfo, type SyncLease } from '@syncmodes/connector-kit';
import type pg from 'pg';
import { NOW_MS } from './pg-schema';

interface LeaseRow {
  holder: string;
  epoch: string;
  acquired_at: string;
  expires_at: string;
  now: string;
}

/**
 * The `leases` table: one row per sync, locked (`FOR UPDATE`) while a lease is taken and
 * (`FOR SHARE`) inside every fenced write, so a take-over waits for a write in progress and
 * a write after a take-over sees the new epoch. Times come from the database server's clock.
 */
export class PgLeases {
  constructor(private readonly table: string) {}

  /** See `StateStore.acquireLease`; `client` is inside a transaction. */
  async acquire(client: pg.ClientBase, syncId: string, options: AcquireLeaseOptions): Promise<SyncLease> {
    await client.query(`INSERT INTO ${this.table} (sync_id, holder, epoch, acquired_at, expires_at) VALUES ($1, '', 0, 0, 0) ON CONFLICT (sync_id) DO NOTHING`, [syncId]);
    const { rows } = await client.query<LeaseRow>(
      `SELECT holder, epoch, acquired_at, expires_at, ${NOW_MS} AS now FROM ${this.table} WHERE sync_id = $1 FOR UPDATE`,
      [syncId],
    );
    const row = rows[0] as LeaseRow;
    const now = Number(row.now);
    const current: LeaseInfo = { holder: row.holder, epoch: Number(row.epoch), acquiredAt: Number(row.acquired_at), expiresAt: Number(row.expires_at) };
    if (current.holder !== '' && current.holder !== options.holder && current.expiresAt > now && !options.isStale?.(current)) {
      throw new SyncRunningError(syncId, current.holder, current.acquiredAt, current.expiresAt);
    }
    const epoch = current.epoch + 1;
    await client.query(`UPDATE ${this.table} SET holder = $2, epoch = $3, acquired_at = $4::bigint, expires_at = $4::bigint + $5::bigint WHERE sync_id = $1`, [
      syncId,
      options.holder,
      epoch,
      now,
      Math.max(0, Math.round(options.ttlMs)),
    ]);
    return { syncId, holder: options.holder, epoch };
  }

  /** See `StateStore.renewLease`. @throws {@link LeaseLostError} */
  async renew(client: pg.ClientBase, lease: SyncLease, ttlMs: number): Promise<void> {
    const { rowCount } = await client.query(`UPDATE ${this.table} SET expires_at = ${NOW_MS} + $4::bigint WHERE sync_id = $1 AND epoch = $2 AND holder = $3`, [
      lease.syncId,
      lease.epoch,
      lease.holder,
      Math.max(0, Math.round(ttlMs)),
    ]);
    if (rowCount === 0) throw new LeaseLostError(lease.syncId);
  }

  /** See `StateStore.releaseLease`: the row keeps its epoch, so the next holder's is higher. */
  async release(client: pg.ClientBase, lease: SyncLease): Promise<void> {
    await client.query(`UPDATE ${this.table} SET holder = '', expires_at = 0 WHERE sync_id = $1 AND epoch = $2 AND holder = $3`, [lease.syncId, lease.epoch, lease.holder]);
  }

  /**
   * The fence, inside the transaction of a fenced write: locks the lease row for share and
   * throws unless `lease` is still the sync's current lease.
   *
   * @throws {@link LeaseLostError} (`lease_lost`).
   */
  async check(client: pg.ClientBase, lease: SyncLease): Promise<void> {
    const { rows } = await client.query<{ epoch: string; holder: string }>(`SELECT epoch, holder FROM ${this.table} WHERE sync_id = $1 FOR SHARE`, [lease.syncId]);
    const row = rows[0];
    if (!row || Number(row.epoch) !== lease.epoch || row.holder !== lease.holder) throw new LeaseLostError(lease.syncId);
  }
}
