import type { SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import { StateStoreError } from '../../errors/run-errors';
import type { StateEntry, StateStore, SyncLease } from '../../state/state-store';

/**
 * The one way a run writes its sync's state: nothing in a dry run; every write fenced by
 * the run's lease; the first failure (disk full, read-only, lease taken over) is kept and
 * handed to `onFailure`, which stops the run, and every later write is skipped — so
 * nothing more is sent once state cannot follow. A read the run needs that fails the same way
 * stops it too ({@link read}, {@link readFailed}).
 */
export class StateWriter {
  private failure: SyncError | undefined;
  private writes = 0;

  constructor(
    private readonly store: StateStore,
    private readonly syncId: string,
    private lease: SyncLease | undefined,
    private readonly dryRun: boolean,
    private readonly onFailure: (error: SyncError) => void,
  ) {}

  /** Fences every later write with the run's lease (see `StateStore.put`). */
  fence(lease: SyncLease): void {
    this.lease = lease;
  }

  /** The write failure that stopped the run, if any. */
  get failed(): SyncError | undefined {
    return this.failure;
  }

  /** How many writes went through so far: a reader caching state for the run compares it to know whether state changed since. */
  get generation(): number {
    return this.writes;
  }

  /** Writes entries. Resolves false when they could not be written (the run is stopping). */
  put(entries: readonly StateEntry[]): Promise<boolean> {
    return this.write(entries.length, () => this.store.put(this.syncId, entries, this.lease));
  }

  /** Forgets records. Resolves false when that could not be written (the run is stopping). */
  remove(recordIds: readonly string[]): Promise<boolean> {
    return this.write(recordIds.length, () => this.store.remove(this.syncId, recordIds, this.lease));
  }

  /**
   * A state read a window needs. When the store fails (a `StateStoreError`: the database gone
   * past `reconnectWaitMs`, the file unreadable), the run stops with that error, as for a failed
   * write, and this resolves `undefined`: the window's records are reported `not_sent`.
   *
   * @throws anything but a `StateStoreError` (a bug).
   */
  async read<T>(read: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read();
    } catch (thrown) {
      if (!this.readFailed(thrown)) throw thrown;
      return undefined;
    }
  }

  /**
   * Stops the run for a state read that failed, as for a failed write (later writes are still
   * tried: a database back by then records what was acknowledged). Returns false for anything
   * but a `StateStoreError`, which the caller throws.
   */
  readFailed(thrown: unknown): boolean {
    if (!(thrown instanceof StateStoreError)) return false;
    this.onFailure(thrown);
    return true;
  }

  private async write(count: number, fn: () => Promise<void>): Promise<boolean> {
    if (this.dryRun || count === 0) return true;
    if (this.failure) return false;
    try {
      await fn();
      this.writes++;
      return true;
    } catch (thrown) {
      this.failure ??= toSyncError(thrown);
      this.onFailure(this.failure);
      return false;
    }
  }
}
