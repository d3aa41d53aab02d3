import { LeaseLostError, SyncRunningError } from '../errors/run-errors';
import { MemoryRuns } from './memory-runs';
import type { RunListing, RunQuery, RunRecord } from './run-history';
import { StateIndex } from './state-index';
import type { AcquireLeaseOptions, LeaseInfo, StateEntry, StateStore, SyncInfo, SyncLease, SyncListing } from './state-store';

interface StoredSync extends SyncInfo {
  readonly createdAt: number;
  readonly lastRunAt: number;
}

interface StoredEntry extends StateEntry {
  readonly updatedAt: number;
}

function withoutTime(stored: StoredEntry): StateEntry {
  const { updatedAt: _updatedAt, ...entry } = structuredClone(stored);
  return entry;
}

/**
 * A {@link StateStore} held in memory: for tests, one-off runs and programs that keep
 * state elsewhere. Nothing survives the process. Entries are copied on the way in and out,
 * so callers never share objects with the store.
 */
export class MemoryStateStore implements StateStore {
  private readonly syncs = new Map<string, StoredSync>();
  private readonly records = new Map<string, Map<string, StoredEntry>>();
  private readonly leases = new Map<string, LeaseInfo>();
  private readonly runs = new MemoryRuns();

  private recordsOf(syncId: string): Map<string, StoredEntry> {
    let map = this.records.get(syncId);
    if (!map) this.records.set(syncId, (map = new Map()));
    return map;
  }

  private check(lease: SyncLease | undefined): void {
    if (!lease) return;
    const current = this.leases.get(lease.syncId);
    if (!current || current.epoch !== lease.epoch || current.holder !== lease.holder) throw new LeaseLostError(lease.syncId);
  }

  async registerSync(info: SyncInfo): Promise<void> {
    const now = Date.now();
    const known = this.syncs.get(info.syncId);
    const name = info.name ?? known?.name;
    this.syncs.set(info.syncId, { ...structuredClone(known ?? info), ...(name !== undefined ? { name } : {}), createdAt: known?.createdAt ?? now, lastRunAt: now });
  }

  async listSyncs(): Promise<SyncListing[]> {
    const listings = [...this.syncs.values()].map((sync): SyncListing => {
      const entries = [...this.recordsOf(sync.syncId).values()];
      const lastWrittenAt = entries.length > 0 ? Math.max(...entries.map((e) => e.updatedAt)) : undefined;
      return {
        ...structuredClone(sync),
        ...(lastWrittenAt !== undefined ? { lastWrittenAt } : {}),
        records: entries.length,
        owned: entries.filter((e) => e.owned && !e.departed).length,
        departed: entries.filter((e) => e.departed).length,
        notFound: entries.filter((e) => e.notFound === true).length,
        pending: entries.filter((e) => e.pending === true).length,
      };
    });
    return listings.sort((a, b) => b.lastRunAt - a.lastRunAt || a.syncId.localeCompare(b.syncId));
  }

  async forgetSync(syncId: string): Promise<number> {
    const lease = this.leases.get(syncId);
    if (lease && lease.holder !== '' && lease.expiresAt > Date.now()) throw new SyncRunningError(syncId, lease.holder, lease.acquiredAt, lease.expiresAt);
    // A holder whose lease expired (a run paused past it) is fenced: it must not write the forgotten state back.
    if (lease) this.leases.set(syncId, { ...lease, holder: '', epoch: lease.epoch + 1, expiresAt: 0 });
    const removed = this.records.get(syncId)?.size ?? 0;
    this.records.delete(syncId);
    this.syncs.delete(syncId);
    return removed;
  }

  async acquireLease(syncId: string, options: AcquireLeaseOptions): Promise<SyncLease> {
    const now = Date.now();
    const current = this.leases.get(syncId);
    if (current && current.holder !== '' && current.holder !== options.holder && current.expiresAt > now && !options.isStale?.(current)) {
      throw new SyncRunningError(syncId, current.holder, current.acquiredAt, current.expiresAt);
    }
    const epoch = (current?.epoch ?? 0) + 1;
    this.leases.set(syncId, { holder: options.holder, epoch, acquiredAt: now, expiresAt: now + options.ttlMs });
    return { syncId, holder: options.holder, epoch };
  }

  async renewLease(lease: SyncLease, ttlMs: number): Promise<void> {
    this.check(lease);
    const current = this.leases.get(lease.syncId) as LeaseInfo;
    this.leases.set(lease.syncId, { ...current, expiresAt: Date.now() + ttlMs });
  }

  async releaseLease(lease: SyncLease): Promise<void> {
    const current = this.leases.get(lease.syncId);
    if (current && current.epoch === lease.epoch) this.leases.set(lease.syncId, { ...current, holder: '', expiresAt: 0 });
  }

  async index(syncId: string): Promise<StateIndex> {
    const out = new StateIndex(this.recordsOf(syncId).size);
    for (const [id, e] of this.recordsOf(syncId)) {
      out.set(id, { hash: e.hash, owned: e.owned, departed: e.departed, notFound: e.notFound === true, updatedAt: e.updatedAt });
    }
    return out;
  }

  async get(syncId: string, recordIds: readonly string[]): Promise<Map<string, StateEntry>> {
    const records = this.recordsOf(syncId);
    const out = new Map<string, StateEntry>();
    for (const id of recordIds) {
      const e = records.get(id);
      if (e) out.set(id, withoutTime(e));
    }
    return out;
  }

  async findByDestinationIds(syncId: string, destinationIds: readonly string[]): Promise<StateEntry[]> {
    const wanted = new Set(destinationIds);
    return [...this.recordsOf(syncId).values()].filter((e) => e.destinationId !== null && wanted.has(e.destinationId)).map(withoutTime);
  }

  async trackedElsewhere(syncId: string, destinationIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const destination = this.syncs.get(syncId)?.destination;
    const wanted = new Set(destinationIds);
    for (const other of this.syncs.values()) {
      if (other.syncId === syncId || other.destination !== destination) continue;
      const ids = new Set<string>();
      for (const e of this.recordsOf(other.syncId).values()) if (e.destinationId !== null && wanted.has(e.destinationId) && !e.departed && e.notFound !== true) ids.add(e.destinationId);
      for (const id of ids) out.set(id, [...(out.get(id) ?? []), other.name ?? other.syncId]);
    }
    return out;
  }

  async put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void> {
    this.check(lease);
    const records = this.recordsOf(syncId);
    const now = Date.now();
    for (const e of entries) records.set(e.recordId, { ...structuredClone(e), notFound: e.notFound === true, pending: e.pending === true, updatedAt: now });
  }

  async remove(syncId: string, recordIds: readonly string[], lease?: SyncLease): Promise<void> {
    this.check(lease);
    const records = this.recordsOf(syncId);
    for (const id of recordIds) records.delete(id);
  }

  async count(syncId: string, filter: 'all' | 'owned' = 'all'): Promise<number> {
    const records = [...this.recordsOf(syncId).values()];
    return filter === 'owned' ? records.filter((e) => e.owned && !e.departed).length : records.length;
  }

  async recordRun(run: RunRecord, keep?: number): Promise<void> {
    this.runs.record(run, keep);
  }

  async listRuns(query?: RunQuery): Promise<RunListing[]> {
    return this.runs.list(query);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.runs.get(runId);
  }

  async groupCounts(syncId: string, groups: readonly string[]): Promise<Map<string, number>> {
    const wanted = new Set(groups);
    const out = new Map<string, number>();
    for (const e of this.recordsOf(syncId).values()) for (const g of e.snapshot.groups) if (wanted.has(g)) out.set(g, (out.get(g) ?? 0) + 1);
    return out;
  }

  async entriesInGroup(syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }): Promise<StateEntry[]> {
    return [...this.recordsOf(syncId).values()]
      .filter((e) => e.snapshot.groups.includes(group) && (page.after === undefined || e.recordId > page.after))
      .sort((a, b) => (a.recordId < b.recordId ? -1 : a.recordId > b.recordId ? 1 : 0))
      .slice(0, page.limit)
      .map(withoutTime);
  }

  async close(): Promise<void> {
    // Nothing to release: the state lives as long as the object.
  }
}
