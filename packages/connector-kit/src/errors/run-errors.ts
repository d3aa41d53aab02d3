import { SyncError, type SyncErrorOptions } from './sync-error';

/**
 * A condition of the run itself (not of one record) that stops it: nothing more is sent,
 * calls in flight finish, and every record not yet acknowledged is reported `not_sent`
 * for the next run. Codes: `interrupted` (the caller's signal: Ctrl-C, SIGTERM),
 * `rate_limited` (a `Retry-After` longer than the run's maximum wait), `state_unwritable`,
 * `lease_lost`.
 */
export class RunStoppedError extends SyncError {
  /** Stops the whole run (see `isRunStopping`). */
  readonly stopsRun = true;

  constructor(code: string, message: string, options: SyncErrorOptions = {}) {
    super(code, message, options);
  }
}

/**
 * Another run of the same sync holds its lease (`sync_running`): two runs at once would
 * send everything twice. Raised before anything is read or sent; the run is refused.
 */
export class SyncRunningError extends SyncError {
  /** Who holds the lease (e.g. `host:pid:nonce`). */
  readonly holder: string;
  /** When the holder took it, epoch ms. */
  readonly since: number;
  /** When the lease expires unless its holder renews it (a killed holder's lease is taken over then), epoch ms. */
  readonly expiresAt: number;

  constructor(syncId: string, holder: string, since: number, expiresAt: number) {
    super(
      'sync_running',
      `Sync ${syncId} is already running (held by ${holder} since ${new Date(since).toISOString()}); wait for it to finish. ` +
        `If that run was killed, its lease goes stale at ${new Date(expiresAt).toISOString()}.`,
      { retryable: true },
    );
    this.holder = holder;
    this.since = since;
    this.expiresAt = expiresAt;
  }
}

/** Another run took this run's lease over (it was paused past its expiry): its writes are refused (`lease_lost`). */
export class LeaseLostError extends RunStoppedError {
  /**
   * @param alsoFailed - what the state store answered meanwhile, when a call to it failed
   *   once the lease had lapsed (e.g. a connection wait that timed out over the pause): named
   *   in the message and kept as the cause.
   */
  constructor(syncId: string, alsoFailed?: SyncError) {
    super(
      'lease_lost',
      `Another run took over sync ${syncId} while this one was paused; this run stopped without writing more state.${alsoFailed ? ` (The state store failed meanwhile: ${alsoFailed.message})` : ''}`,
      { retryable: true, ...(alsoFailed ? { cause: alsoFailed } : {}) },
    );
  }
}

/**
 * The state store failed: `state_unreadable` (the file or database is not a valid state
 * store: empty, truncated, another format, a folder) or `state_unwritable` (read-only,
 * disk full). Either stops the run before more is sent; the message names the store, never
 * its content.
 */
export class StateStoreError extends RunStoppedError {
  constructor(code: 'state_unreadable' | 'state_unwritable', message: string, options: SyncErrorOptions = {}) {
    super(code, message, { ...options, retryable: code === 'state_unwritable' });
  }
}

/**
 * The state store stayed locked by another process past the store's wait (SQLite's
 * `SQLITE_BUSY` / `SQLITE_LOCKED` after its 5 s busy timeout): another run using the same
 * state file is writing, or was paused mid-write. Code `state_unwritable` mid-run; while a
 * run is taking its sync, the kit refuses the run as `sync_running` instead (it cannot
 * even read who holds the sync).
 */
export class StateBusyError extends StateStoreError {
  constructor(message: string, options: SyncErrorOptions = {}) {
    super('state_unwritable', message, options);
  }
}
