import { MemoryStateStore, StateStoreError, type StateEntry, type SyncLease } from '../../src/index';

/** A memory store whose writes fail (like a full disk) once `failAfter` puts succeeded. */
export class FailingStore extends MemoryStateStore {
  puts = 0;
  constructor(private failAfter: number) {
    super();
  }
  override async put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    if (++this.puts > this.failAfter) throw new StateStoreError('state_unwritable', 'Cannot write the state file (SQLITE_FULL): disk full.');
    return super.put(syncId, entries, lease);
  }
  heal(): void {
    this.puts = Number.NEGATIVE_INFINITY;
  }
  /** Lets `n` more puts succeed, then fails again. */
  failAfterNext(n: number): void {
    this.puts = 0;
    this.failAfter = n;
  }
}
