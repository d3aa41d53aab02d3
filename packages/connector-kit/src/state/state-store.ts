import type { RecordSnapshot } from '../records/types';

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
  readonly snapshot: RecordSnapshot;
  /** `snapshotHash(snapshot)`. */
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
 * Per-sync state. Writes are synchronous and durable when they return, so the engine can
 * persist after each acknowledged batch (a crash loses at most the batch in flight).
 */
export interface StateStore {
  /** Records (or updates) the sync's descriptive info. */
  registerSync(info: SyncInfo): void;
  /** Every entry's hash and flags, by record id (the SQLite store's `StateIndex` keeps a million entries in about 100 MB). */
  index(syncId: string): ReadonlyMap<string, StateIndexEntry>;
  /** Full entries for the given record ids (missing ids are absent from the map). */
  get(syncId: string, recordIds: readonly string[]): Map<string, StateEntry>;
  /** Inserts or replaces entries, atomically. */
  put(syncId: string, entries: readonly StateEntry[]): void;
  /** Forgets records (after they were deleted from the destination). */
  remove(syncId: string, recordIds: readonly string[]): void;
  /** Number of entries (all, or owned and not departed). */
  count(syncId: string, filter?: 'all' | 'owned'): number;
  /** Every sync the store holds, with its counts, most recently run first. */
  listSyncs(): Promise<SyncListing[]>;
  /**
   * Forgets a sync: its info and every entry. The destination is not touched; a later run
   * of the same sync starts over (it owns nothing, so `sync` mode deletes nothing it had
   * created before). Returns the number of entries removed (0 when the sync is unknown).
   */
  forgetSync(syncId: string): Promise<number>;
  close(): void;
}
