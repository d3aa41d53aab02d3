import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseLostError } from '../../errors/run-errors';
import type { SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { LeaseInfo, StateStore, SyncLease } from '../../state/state-store';
import { processAlive } from '../../process-alive';

/** How a run holds its sync's lease. */
export interface RunLeaseOptions {
  /**
   * Who the run is, shown to a second run that is refused.
   * @defaultValue `<host>:<pid>:<nonce>`
   */
  readonly holder?: string | undefined;
  /**
   * How long the lease lasts without a heartbeat, ms (renewed every third of it).
   * @defaultValue `30000`
   */
  readonly ttlMs?: number | undefined;
  /**
   * Says whether another holder's unexpired lease is stale anyway, besides a killed process
   * of this machine (e.g. a worker given the same queue job again after its first holder
   * stopped sending heartbeats), so the run takes it over at once.
   * @defaultValue none (only an expired lease, or a dead process of this machine, is taken over)
   */
  readonly isStale?: ((current: LeaseInfo) => boolean) | undefined;
}

/** The default lease time to live, ms. */
export const DEFAULT_LEASE_TTL_MS = 30_000;

/** True when `holder` names a process of this machine that no longer runs (it was killed): its lease is stale at once. */
export function holderIsDeadHere(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
  return !processAlive(Number(pid));
}

/**
 * A run's hold on its sync: takes the lease (a killed process's lease on this machine is
 * taken over at once, another machine's when it expires), renews it every third of its
 * time to live, and reports a lost lease (or a store that cannot renew it) to `onLost`,
 * which stops the run.
 */
export class RunLease {
  private timer: NodeJS.Timeout | undefined;
  /** When the lease was last taken or renewed (this process's clock, when the request went out), ms. */
  private renewedAt = Date.now();

  private constructor(
    private readonly store: StateStore,
    readonly lease: SyncLease,
    private readonly ttlMs: number,
  ) {}

  /**
   * Takes the sync's lease and starts the heartbeat.
   *
   * @throws `SyncRunningError` (`sync_running`) when another live run holds it; a
   *   `StateStoreError` when the store cannot be written.
   */
  static async take(store: StateStore, syncId: string, options: RunLeaseOptions, onLost: (error: SyncError) => void): Promise<RunLease> {
    const ttlMs = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
    const holder = options.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const askedAt = Date.now();
    const lease = await store.acquireLease(syncId, { holder, ttlMs, isStale: (current: LeaseInfo) => holderIsDeadHere(current.holder) || options.isStale?.(current) === true });
    const run = new RunLease(store, lease, ttlMs);
    run.renewedAt = askedAt;
    run.timer = setInterval(() => {
      const sentAt = Date.now();
      store.renewLease(lease, ttlMs).then(
        () => {
          run.renewedAt = Math.max(run.renewedAt, sentAt);
        },
        (error: unknown) => {
          run.stopHeartbeat();
          onLost(run.lapsedWith(toSyncError(error)));
        },
      );
    }, Math.max(10, Math.floor(ttlMs / 3)));
    run.timer.unref();
    return run;
  }

  /**
   * A `LeaseLostError` when the lease may have lapsed: not renewed for its whole time to live
   * (the process was paused — SIGSTOP, a frozen VM — or its event loop blocked), so another
   * run may hold the sync now. Checked before every destination call: a paused run that
   * resumes must not send what the run that took over has sent already. Undefined otherwise.
   */
  lapsed(): SyncError | undefined {
    return Date.now() - this.renewedAt >= this.ttlMs ? new LeaseLostError(this.lease.syncId) : undefined;
  }

  /**
   * Renews the lease now (after {@link lapsed}: the process was paused, or its heartbeats did
   * not get through). Succeeds only while the lease is still this run's (the store checks its
   * epoch and holder): nobody took it meanwhile, so the run may go on.
   *
   * @returns undefined when renewed; else `lease_lost` when another run holds it, or the
   *   store's own error when it could not be asked (it is down: nobody is known to hold it).
   */
  async renewNow(): Promise<SyncError | undefined> {
    const sentAt = Date.now();
    try {
      await this.store.renewLease(this.lease, this.ttlMs);
      this.renewedAt = Math.max(this.renewedAt, sentAt);
      return undefined;
    } catch (error) {
      return toSyncError(error);
    }
  }

  /**
   * The reason to stop with when a state store call failed: `lease_lost` (naming the store's
   * error) when the lease has lapsed, else the store's error. A process paused past its lease
   * (SIGSTOP, a frozen VM) often finds its store calls failing on resume — a connection wait
   * whose timer ran out during the pause fires before the answer that came meanwhile is read
   * ("timeout exceeded when trying to connect"); the run was taken over all the same, and a
   * worker must not fail (and retry, and notify) a run another worker completed (verify's
   * distributed pause, seed 644066401: stopped state_unwritable).
   */
  lapsedWith(error: SyncError): SyncError {
    if (error.code === 'lease_lost' || this.lapsed() === undefined) return error;
    return new LeaseLostError(this.lease.syncId, error);
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops the heartbeat and gives the lease up (errors are ignored: it then simply expires). */
  async release(): Promise<void> {
    this.stopHeartbeat();
    await this.store.releaseLease(this.lease).catch(() => undefined);
  }
}
