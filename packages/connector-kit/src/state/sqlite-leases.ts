import type BetterSqlite3 from 'better-sqlite3';
import { LeaseLostError, SyncRunningError } from '../errors/run-errors';
import type { AcquireLeaseOptions, LeaseInfo, SyncLease } from './state-store';

interface LeaseRow {
  holder: string;
  epoch: number;
  acquired_at: number;
  expires_at: number;
}

/** The `leases` table of a SQLite state store: one row per sync, taken in an immediate transaction. */
export class SqliteLeases {
  constructor(private readonly db: BetterSqlite3.Database) {}

  private row(syncId: string): LeaseRow | undefined {
    return this.db.prepare('SELECT holder, epoch, acquired_at, expires_at FROM leases WHERE sync_id = ?').get(syncId) as LeaseRow | undefined;
  }

  /** See `StateStore.acquireLease`. */
  acquire(syncId: string, options: AcquireLeaseOptions): SyncLease {
    return this.db
      .transaction((): SyncLease => {
        const now = Date.now();
        const row = this.row(syncId);
        if (row && row.holder !== '' && row.holder !== options.holder && row.expires_at > now) {
          const current: LeaseInfo = { holder: row.holder, epoch: row.epoch, acquiredAt: row.acquired_at, expiresAt: row.expires_at };
          if (!options.isStale?.(current)) throw new SyncRunningError(syncId, row.holder, row.acquired_at, row.expires_at);
        }
        const epoch = (row?.epoch ?? 0) + 1;
        this.db
          .prepare(
            `INSERT INTO leases (sync_id, holder, epoch, acquired_at, expires_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT(sync_id) DO UPDATE SET holder = excluded.holder, epoch = excluded.epoch, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at`,
          )
          .run(syncId, options.holder, epoch, now, now + options.ttlMs);
        return { syncId, holder: options.holder, epoch };
      })
      .immediate();
  }

  /** See `StateStore.renewLease`. */
  renew(lease: SyncLease, ttlMs: number): void {
    const changed = this.db
      .prepare('UPDATE leases SET expires_at = ? WHERE sync_id = ? AND epoch = ? AND holder = ?')
      .run(Date.now() + ttlMs, lease.syncId, lease.epoch, lease.holder).changes;
    if (changed === 0) throw new LeaseLostError(lease.syncId);
  }

  /** See `StateStore.releaseLease`: the row keeps its epoch, so the next holder's is higher. */
  release(lease: SyncLease): void {
    this.db.prepare("UPDATE leases SET holder = '', expires_at = 0 WHERE sync_id = ? AND epoch = ?").run(lease.syncId, lease.epoch);
  }

  /**
   * Throws when a run holds the sync's lease (held and not expired): for changes that must
   * not happen under a running sync (forgetting it).
   *
   * @throws {@link SyncRunningError} (`sync_running`) naming the holder.
   */
  refuseIfHeld(syncId: string): void {
    const row = this.row(syncId);
    if (row && row.holder !== '' && row.expires_at > Date.now()) throw new SyncRunningError(syncId, row.holder, row.acquired_at, row.expires_at);
  }

  /**
   * The fence: throws unless `lease` is still the sync's current lease. Called inside the
   * transaction of every fenced write.
   *
   * @throws {@link LeaseLostError} (`lease_lost`).
   */
  check(lease: SyncLease): void {
    const row = this.row(lease.syncId);
    if (!row || row.epoch !== lease.epoch || row.holder !== lease.holder) throw new LeaseLostError(lease.syncId);
  }
}
