import type { Properties, RecordSnapshot } from '../records/types';
import type { RunListing, RunQuery, RunRecord } from './run-history';

/**
 * What a state entry holds as exported: a {@link RecordSnapshot}, plus, for audience members
 * whose vendor matches a person by any of several identifiers, the earlier identities still
 * linked to this member.
 */
export interface StateSnapshot extends RecordSnapshot {
  /**
   * Audiences with `identityKeys`: earlier identities (their identifying properties) the
   * vendor may still match to this member — identifiers this record had before and that were
   * never removed because another record shared them, and the identities of records that
   * left the source and were re-keyed to this one. A record leaving an audience is kept there
   * while a record still in it is linked to it through these (`identity_shared`). Not part of
   * `hash`; absent when there are none.
   */
  readonly linked?: readonly Properties[] | undefined;
  /**
   * Record destinations: groups of `groups` the record was already in when this sync added
   * it (the destination answered "already a member": a campaign member made by a person, a
   * tag set by the app). This sync never removes those memberships; when the record leaves
   * such a group (or the source) the group is only forgotten (fresh reviewer 88, F1). Not
   * part of `hash`; absent when there are none.
   */
  readonly found?: readonly string[] | undefined;
  /**
   * Record destinations, a write-ahead mark (`StateEntry.pending`) only: earlier versions of
   * the record, each as the values that differ from `properties` (`null`: empty) — the last
   * confirmed one first, then those of earlier marks that may have been applied: what the
   * destination record still holds if the pending write never went out (the run stopped, and
   * state could not take the mark back). At most 8. Only the rules that refuse a row because
   * it describes a record leaving the source compare with every version (verify sweep of stop
   * 52, quick seed 1001: a row carrying a departing record's last values was written onto
   * another person's Contact, because that record's mark showed only the values never sent);
   * rows still in the source, and the rules that let a row take a record over, compare with
   * the mark — what the row said last. A row holding that (the mark as sent, see `cleared`)
   * keeps its values: the rules comparing the window's rows with each other leave it out, as an
   * unchanged row (`keepsItsValues`). Not part of `hash`; absent when there are none.
   */
  readonly before?: readonly Properties[] | undefined;
  /**
   * Record destinations, a write-ahead mark only: the properties its write clears (sent empty).
   * The mark keeps their values, as the record holds them until the write goes out; with them
   * emptied, the mark is what its row said (`sentValues`). Absent when it clears none (and in
   * marks written before it was kept). Not part of `hash`.
   */
  readonly cleared?: readonly string[] | undefined;
}

/**
 * What a sync remembers about one source record: where it is in the destination and
 * what was last exported there.
 */
export interface StateEntry {
  readonly recordId: string;
  /** The destination's id for the record (null until known). */
  readonly destinationId: string | null;
  /** The normalised match key last exported. */
  readonly matchKey: string | null;
  /** What the destination holds as far as this sync knows (properties + managed groups). */
  readonly snapshot: StateSnapshot;
  /** `snapshotHash(snapshot)` (its properties and groups). */
  readonly hash: string;
  /** True when this sync created the destination record: only owned records may be deleted by default. */
  readonly owned: boolean;
  /** True when the record left the source and was kept in the destination (mode or policy). */
  readonly departed: boolean;
  /**
   * True when the record was looked up and not found (a mode that cannot create skipped
   * it): nothing of it is in the destination, `snapshot` is empty and `hash` is the source
   * snapshot's hash at that time, so an unchanged record is not looked up again on every
   * run (see `RunSyncOptions.recheckNotFoundAfterMs`).
   */
  readonly notFound?: boolean | undefined;
  /**
   * True while writes for the record are in flight (set before sending, cleared when they
   * are acknowledged). After a crash the destination may hold changes the snapshot does
   * not show, so the next run sends the record's full properties and groups again;
   * `snapshot.groups` then also holds the groups being added, so a later removal covers them.
   */
  readonly pending?: boolean | undefined;
}

/** The part of an entry the first pass needs, per record id. */
export interface StateIndexEntry {
  readonly hash: string;
  readonly owned: boolean;
  readonly departed: boolean;
  /** See {@link StateEntry.notFound}. */
  readonly notFound?: boolean | undefined;
  /** When the entry was last written, epoch ms. */
  readonly updatedAt?: number | undefined;
}

/** Descriptive, non-secret facts about a sync, kept next to its records. */
export interface SyncInfo {
  readonly syncId: string;
  readonly destination: string;
  /** Identity-relevant config (never secrets). */
  readonly identity: Record<string, unknown>;
  /** The sync's name (`RunSyncOptions.syncName`), when it has one; kept so people can address the sync by it. */
  readonly name?: string | undefined;
}

/** One sync as {@link StateStore.listSyncs} describes it. Times are epoch ms; counts are records. */
export interface SyncListing extends SyncInfo {
  /** When the sync was first registered. */
  readonly createdAt: number;
  /** When a run of the sync last started (dry runs excluded). */
  readonly lastRunAt: number;
  /** When an entry of the sync was last written, or `undefined` when it has none. */
  readonly lastWrittenAt?: number | undefined;
  /** Entries in state (every record the sync remembers). */
  readonly records: number;
  /** Records this sync created and that are still in the source: what `sync` mode may delete. */
  readonly owned: number;
  /** Records that left the source and were kept in the destination. */
  readonly departed: number;
  /** Records looked up and not found (see {@link StateEntry.notFound}). */
  readonly notFound: number;
  /** Records whose writes were in flight when a run ended (see {@link StateEntry.pending}). */
  readonly pending: number;
}

/**
 * The right to write one sync's state, held by one run at a time. A store hands it out
 * exclusively per sync; it expires `ttlMs` after it was taken or last renewed, after which
 * another run may take it over (a killed process's lease goes stale). Every take-over
 * increases `epoch`: writes made with an older epoch are refused (`lease_lost`), so a run
 * that was paused past its expiry cannot overwrite the new holder's state (the fence).
 */
export interface SyncLease {
  readonly syncId: string;
  /** Who holds it, e.g. `host:pid:nonce` (shown to a second run that is refused). */
  readonly holder: string;
  /** Increases with every new holder. */
  readonly epoch: number;
}

/** The lease a store holds for a sync, as another run sees it. */
export interface LeaseInfo {
  readonly holder: string;
  readonly epoch: number;
  /** When it was taken, epoch ms. */
  readonly acquiredAt: number;
  /** When it goes stale unless renewed, epoch ms. */
  readonly expiresAt: number;
}

/** How {@link StateStore.acquireLease} takes a sync's lease. */
export interface AcquireLeaseOptions {
  readonly holder: string;
  /** How long the lease lasts without renewal, ms. */
  readonly ttlMs: number;
  /**
   * Says whether a lease that has not expired yet is stale anyway (e.g. its holder is a
   * process on this machine that no longer exists), so it may be taken over at once.
   */
  readonly isStale?: ((current: LeaseInfo) => boolean) | undefined;
}

/**
 * Per-sync state, behind an asynchronous interface (SQLite wraps its synchronous calls; a
 * database store answers over the network). Writes are durable when their promise
 * resolves, so the engine can persist after each acknowledged batch (a crash loses at
 * most the batch in flight).
 *
 * Errors: a store that cannot be read (not a state store, truncated, unreadable) throws
 * a `StateStoreError` with code `state_unreadable`; a write that fails (disk full,
 * read-only) throws one with code `state_unwritable`; a write whose lease was taken over
 * throws `LeaseLostError` (`lease_lost`). All of these stop a run.
 */
export interface StateStore {
  /** Records (or updates) the sync's descriptive info. */
  registerSync(info: SyncInfo): Promise<void>;
  /**
   * Takes the sync's lease for one run.
   *
   * @throws `SyncRunningError` (`sync_running`) naming the holder, when another run holds a lease that is neither expired nor stale.
   */
  acquireLease(syncId: string, options: AcquireLeaseOptions): Promise<SyncLease>;
  /**
   * Extends the lease by its `ttlMs` from now.
   *
   * @throws `LeaseLostError` (`lease_lost`) when another run took the lease over.
   */
  renewLease(lease: SyncLease, ttlMs: number): Promise<void>;
  /** Gives the lease up (nothing happens when it was taken over meanwhile). */
  releaseLease(lease: SyncLease): Promise<void>;
  /** Every entry's hash and flags, by record id (the SQLite store's `StateIndex` keeps a million entries in about 100 MB). */
  index(syncId: string): Promise<ReadonlyMap<string, StateIndexEntry>>;
  /** Full entries for the given record ids (missing ids are absent from the map). */
  get(syncId: string, recordIds: readonly string[]): Promise<Map<string, StateEntry>>;
  /** Full entries whose destination id is one of `destinationIds` (several records may name one). */
  findByDestinationIds(syncId: string, destinationIds: readonly string[]): Promise<StateEntry[]>;
  /**
   * Which other syncs of the same destination (same `SyncInfo.destination`, another sync id)
   * track any of `destinationIds` as a record in their source (an entry that is neither
   * departed nor not found): by destination id, those syncs' names (their ids when they
   * have none). Ids no other sync tracks are absent. A sync deleting a record that another
   * sync still has in its source would take that record from it without it knowing (#17,
   * trial 19a F5): the engine keeps such records.
   */
  trackedElsewhere(syncId: string, destinationIds: readonly string[]): Promise<Map<string, string[]>>;
  /**
   * Inserts or replaces entries, atomically.
   *
   * @param lease - when given, the write is refused with `lease_lost` unless this lease is still the sync's current one.
   */
  put(syncId: string, entries: readonly StateEntry[], lease?: SyncLease): Promise<void>;
  /**
   * Optional: called when a run ends without a stop, so that a store may keep a compact copy
   * of the sync's index for the next run's {@link StateStore.index} (SQLite keeps it as bytes
   * from 50,000 entries). The copy must never differ from the entries: a store drops it on any
   * later write. Failing here fails nothing: the next run reads the entries.
   */
  keepIndex?(syncId: string): Promise<void>;
  /** Forgets records (after they were deleted from the destination); fenced by `lease` like {@link StateStore.put}. */
  remove(syncId: string, recordIds: readonly string[], lease?: SyncLease): Promise<void>;
  /** Number of entries (all, or owned and not departed). */
  count(syncId: string, filter?: 'all' | 'owned'): Promise<number>;
  /**
   * Run history: saves a run (replacing the one with the same `runId`, e.g. a worker's
   * `running` record), then forgets that sync's oldest runs beyond the newest `keep`
   * (default 100, `DEFAULT_KEEP_RUNS`), except runs still `running`: they stay until they
   * are closed (a worker reads whether a job started its run from them, and closes a lost
   * one; the CLI closes its own, `run_lost`), then go with the next run recorded. Not
   * fenced: a run is recorded even when it lost its lease.
   */
  recordRun(run: RunRecord, keep?: number): Promise<void>;
  /** Runs, newest first (by start time), without their records. */
  listRuns(query?: RunQuery): Promise<RunListing[]>;
  /** One run with its failed and skipped records, or `undefined` when the history does not have it. */
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** For each of `groups`, how many entries' snapshots hold it (absent when none). */
  groupCounts(syncId: string, groups: readonly string[]): Promise<Map<string, number>>;
  /** Entries whose snapshot holds `group`, in record-id order: `limit` of them after record id `after`. */
  entriesInGroup(syncId: string, group: string, page: { readonly after?: string | undefined; readonly limit: number }): Promise<StateEntry[]>;
  /** Every sync the store holds, with its counts, most recently run first. */
  listSyncs(): Promise<SyncListing[]>;
  /**
   * Forgets a sync: its info, its lease and every entry. The destination is not touched; a
   * later run of the same sync starts over (it owns nothing, so `sync` mode deletes nothing
   * it had created before). Returns the number of entries removed (0 when the sync is unknown).
   */
  forgetSync(syncId: string): Promise<number>;
  close(): Promise<void>;
}
