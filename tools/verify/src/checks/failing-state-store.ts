import { StateStoreError, type RunListing, type RunQuery, type RunRecord, type AcquireLeaseOptions, type StateEntry, type StateStore, type SyncInfo, type SyncLease } from '@syncmodes/connector-kit';

/**
 * A state store whose entry writes (`put`, `remove`) fail after `writesAllowed` of them, as
 * a full disk or a file turned read-only would: every later one throws the store's
 * `state_unwritable` error. Reads, the lease and the sync's registration keep working (the
 * run must notice the failure from its entry writes alone). Wraps a real store, which
 * keeps exactly what was written before the failure.
 */
export class FailingStateStore implements StateStore {
  /** Entry writes accepted so far. */
  writes = 0;
  /** Entry writes refused. */
  refused = 0;

  constructor(
    readonly inner: StateStore,
    private readonly writesAllowed: number,
  ) {}

  private async write(fn: () => Promise<void>): Promise<void> {
    if (this.writes >= this.writesAllowed) {
      this.refused++;
      throw new StateStoreError('state_unwritable', 'The state store failed while writing entries: SQLITE_FULL: database or disk is full (injected by verify)');
    }
    this.writes++;
    await fn();
  }

  put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    return this.write(() => this.inner.put(syncId, entries, lease));
  }

  remove(syncId: string, recordIds: readonly string[], lease?: SyncLease): Promise<void> {
    return this.write(() => this.inner.remove(syncId, recordIds, lease));
  }

  registerSync(info: SyncInfo): Promise<void> {
    return this.inner.registerSync(info);
  }

  acquireLease(syncId: string, options: AcquireLeaseOptions): Promise<SyncLease> {
    return this.inner.acquireLease(syncId, options);
  }

  renewLease(lease: SyncLease, ttlMs: number): Promise<void> {
    return this.inner.renewLease(lease, ttlMs);
  }

  releaseLease(lease: SyncLease): Promise<void> {
    return this.inner.releaseLease(lease);
  }

  recordRun(run: RunRecord, keep?: number): Promise<void> {
    return this.inner.recordRun(run, keep);
  }

  listRuns(query?: RunQuery): Promise<RunListing[]> {
    return this.inner.listRuns(query);
  }

  getRun(runId: string): Promise<RunRecord | undefined> {
    return this.inner.getRun(runId);
  }

  index(syncId: string) {
    return this.inner.index(syncId);
  }

  get(syncId: string, recordIds: readonly string[]) {
    return this.inner.get(syncId, recordIds);
  }

  findByDestinationIds(syncId: string, destinationIds: readonly string[]) {
    return this.inner.findByDestinationIds(syncId, destinationIds);
  }

  trackedElsewhere(syncId: string, destinationIds: readonly string[]) {
    return this.inner.trackedElsewhere(syncId, destinationIds);
  }

  count(syncId: string, filter?: 'all' | 'owned') {
    return this.inner.count(syncId, filter);
  }

  groupCounts(syncId: string, groups: readonly string[]) {
    return this.inner.groupCounts(syncId, groups);
  }

  entriesInGroup(syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }) {
    return this.inner.entriesInGroup(syncId, group, page);
  }

  listSyncs() {
    return this.inner.listSyncs();
  }

  forgetSync(syncId: string) {
    return this.inner.forgetSync(syncId);
  }

  /** The wrapped store stays open: the next run uses it directly. */
  async close(): Promise<void> {}
}
