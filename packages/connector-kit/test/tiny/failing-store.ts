import { MemoryStateStore, StateStoreError, type StateEntry, type SyncLease } from '../../src/index';

const full = () => new StateStoreError('state_unwritable', 'Cannot write the state file (SQLITE_FULL): disk full.');
const away = () => new StateStoreError('state_unwritable', 'The state database failed while reading state entries: connect ECONNREFUSED 127.0.0.1:5432; the server has not answered for 1 s (reconnectWaitMs).');

/**
 * A memory store whose writes fail (like a full disk) once `failAfter` puts succeeded, and
 * whose reads of entries (`get`, `findByDestinationIds`) fail (like a database gone away) once
 * `failReadsAfter` of them succeeded.
 */
export class FailingStore extends MemoryStateStore {
  puts = 0;
  reads = 0;
  failReadsAfter = Number.POSITIVE_INFINITY;
  constructor(private failAfter: number) {
    super();
  }
  override async put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    if (++this.puts > this.failAfter) throw full();
    return super.put(syncId, entries, lease);
  }
  override async get(syncId: string, recordIds: readonly string[]): Promise<Map<string, StateEntry>> {
    if (++this.reads > this.failReadsAfter) throw away();
    return super.get(syncId, recordIds);
  }
  override async findByDestinationIds(syncId: string, destinationIds: readonly string[]): Promise<StateEntry[]> {
    if (++this.reads > this.failReadsAfter) throw away();
    return super.findByDestinationIds(syncId, destinationIds);
  }
  heal(): void {
    this.puts = Number.NEGATIVE_INFINITY;
    this.failReadsAfter = Number.POSITIVE_INFINITY;
  }
  /** Lets `n` more puts succeed, then fails again. */
  failAfterNext(n: number): void {
    this.puts = 0;
    this.failAfter = n;
  }
  /** Lets `n` more reads of entries succeed, then fails every one. */
  failReadsAfterNext(n: number): void {
    this.reads = 0;
    this.failReadsAfter = n;
  }
}
