import { FIELD_SAMPLE_LIMIT } from '../destination/define-destination';
import type { RecordSnapshot } from '../records/types';
import { operationsFor, type SyncMode } from '../modes/sync-modes';
import { snapshotHash } from '../records/snapshot-hash';
import type { PropertyValue, RecordSource } from '../records/types';
import { StateIndex } from '../state/state-index';
import type { StateIndexEntry } from '../state/state-store';
import type { DeletePolicy } from './classify';
import { notFoundStillFresh } from './not-found-memory';

/** What the first pass over the source found. Counts are records. */
export interface SourceScan {
  /** Items the source yielded (records and unusable rows). */
  readonly items: number;
  /** Usable records. */
  readonly records: number;
  /** Rows that could not become records and whose id is unknown. */
  readonly unidentifiedErrors: number;
  /** Record ids that appear on more than one row. */
  readonly duplicateIds: ReadonlySet<string>;
  /** Normalised match key → the record ids sharing it (the first two, in source order) and how many there are, for keys shared by several records. */
  readonly duplicateKeys: ReadonlyMap<string, SharedKey>;
  /** The id of the (first) source record with this normalised match key, if any. */
  keyHolder(key: string): string | undefined;
  /** True when a row with this id is in the source (a usable record, or a row that failed to read). */
  inSource(id: string): boolean;
  /** Usable records that have a match key. */
  readonly keyed: number;
  /** Records whose snapshot differs from state (or that are new). */
  readonly changed: number;
  /** State records missing from the source that this run must look at. */
  readonly departing: readonly string[];
  /** Records remembered as not found that left the source: forgotten without a lookup. */
  readonly forgottenNotFound: readonly string[];
  /** Of `departing`, how many the mode and policy would delete. */
  readonly plannedDeletes: number;
  /** Of `departing`, the ids the mode and policy would delete. */
  readonly deletable: readonly string[];
  /** Every property name the records carry. */
  readonly propertyNames: ReadonlySet<string>;
  /** Up to `FIELD_SAMPLE_LIMIT` distinct non-empty values per property name, in source order. */
  readonly samples: ReadonlyMap<string, readonly PropertyValue[]>;
  /** Whether any record carries groups. */
  readonly hasGroups: boolean;
  /** What the second pass may reuse instead of hashing each record again. */
  readonly unchanged: UnchangedMemo;
}

/** Records of the source that share one match key. */
export interface SharedKey {
  /** The first two record ids with the key, in source order. */
  readonly ids: readonly [string, string];
  /** How many records have the key. */
  readonly count: number;
}

/**
 * The records the first pass found unchanged since state, by position in the source: for
 * item `k`, the index slot of its entry when its hash matched (else -1). The second pass
 * trusts position `k` only when the id there still has that slot, so a source that changed
 * between the passes is hashed again, never misread. Kept only for a {@link StateIndex}
 * (4 bytes a record).
 */
export class UnchangedMemo {
  private slots = new Int32Array(1024).fill(-1);

  constructor(readonly index: StateIndex | undefined) {}

  /** Notes that item `position` (0-based) is unchanged, with entry `slot`. */
  note(position: number, slot: number): void {
    if (position >= this.slots.length) {
      const grown = new Int32Array(Math.max(position + 1, this.slots.length * 2)).fill(-1);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[position] = slot;
  }

  /** True when item `position` with this id was found unchanged by the first pass. */
  isUnchanged(position: number, id: string): boolean {
    const slot = position < this.slots.length ? (this.slots[position] as number) : -1;
    return slot >= 0 && this.index?.slot(id) === slot;
  }
}

/**
 * Ids read so far. Ids that have a state entry are kept as one bit per entry of the
 * {@link StateIndex} (no second copy of a million ids); others in a set.
 */
class SeenIds {
  private readonly bits: Uint8Array | undefined;
  private readonly others = new Set<string>();

  constructor(private readonly index: ReadonlyMap<string, StateIndexEntry>) {
    this.bits = index instanceof StateIndex ? new Uint8Array(Math.ceil(index.size / 8)) : undefined;
  }

  /** Records `id` (whose index slot is `slot` when the caller knows it); false when it was already seen. */
  add(id: string, slot = this.bits ? (this.index as StateIndex).slot(id) : undefined): boolean {
    if (slot === undefined || !this.bits) {
      if (this.others.has(id)) return false;
      this.others.add(id);
      return true;
    }
    const mask = 1 << (slot & 7);
    const byte = this.bits[slot >> 3] as number;
    if ((byte & mask) !== 0) return false;
    this.bits[slot >> 3] = byte | mask;
    return true;
  }

  has(id: string): boolean {
    const slot = this.bits ? (this.index as StateIndex).slot(id) : undefined;
    if (slot === undefined || !this.bits) return this.others.has(id);
    return ((this.bits[slot >> 3] as number) & (1 << (slot & 7))) !== 0;
  }
}

/**
 * First pass: reads the whole source once, comparing each record with the sync's state,
 * without keeping snapshots in memory. Finds duplicates (ids and match keys), counts
 * changes and works out which records left the source. A record remembered as not found
 * counts as changed only when its snapshot changed or the recheck window has passed.
 */
export async function scanSource(
  source: RecordSource,
  keyOf: (snapshot: RecordSnapshot) => string | undefined,
  index: ReadonlyMap<string, StateIndexEntry>,
  mode: SyncMode,
  deletePolicy: DeletePolicy,
  recheckNotFoundAfterMs: number,
  now = Date.now(),
): Promise<SourceScan> {
  const seen = new SeenIds(index);
  const stateIndex = index instanceof StateIndex ? index : undefined;
  const unchanged = new UnchangedMemo(stateIndex);
  const duplicateIds = new Set<string>();
  const keyOwner = new Map<string, string>();
  const duplicateKeys = new Map<string, { ids: [string, string]; count: number }>();
  let items = 0;
  let records = 0;
  let unidentifiedErrors = 0;
  let changed = 0;
  let keyed = 0;
  const propertyNames = new Set<string>();
  const samples = new Map<string, Set<PropertyValue>>();
  let hasGroups = false;

  for await (const item of source.open()) {
    const position = items;
    items++;
    if (item.kind === 'error') {
      if (item.id === undefined) unidentifiedErrors++;
      else if (!seen.add(item.id)) duplicateIds.add(item.id);
      continue;
    }
    records++;
    const properties = item.snapshot.properties;
    for (const name in properties) {
      let seenValues = samples.get(name);
      if (seenValues === undefined) {
        propertyNames.add(name);
        seenValues = new Set<PropertyValue>();
        samples.set(name, seenValues);
      }
      const value = properties[name] as PropertyValue;
      if (value !== null && value !== '' && seenValues.size < FIELD_SAMPLE_LIMIT) seenValues.add(value);
    }
    if (item.snapshot.groups.length > 0) hasGroups = true;
    // One index lookup per record: its slot serves the seen-bit, the entry and the memo.
    const slot = stateIndex?.slot(item.id);
    if (!seen.add(item.id, slot)) duplicateIds.add(item.id);
    const key = keyOf(item.snapshot);
    if (key !== undefined) {
      keyed++;
      const owner = keyOwner.get(key);
      if (owner === undefined) keyOwner.set(key, item.id);
      else if (owner !== item.id) {
        const shared = duplicateKeys.get(key);
        if (shared) shared.count++;
        else duplicateKeys.set(key, { ids: [owner, item.id], count: 2 });
      }
    }
    const entry = stateIndex ? (slot === undefined ? undefined : stateIndex.entryAt(slot)) : index.get(item.id);
    // A record without a match key fails alone (missing_match_key): nothing to look up or send.
    const hash = snapshotHash(item.snapshot);
    const stale = entry?.notFound ? !notFoundStillFresh(entry, hash, recheckNotFoundAfterMs, now) : !entry || entry.departed || entry.hash !== hash;
    if (key !== undefined && stale) changed++;
    if (slot !== undefined && entry && !stale && !entry.notFound) unchanged.note(position, slot);
  }

  const ops = operationsFor(mode);
  const departing: string[] = [];
  const forgottenNotFound: string[] = [];
  const deletable: string[] = [];
  for (const [id, entry] of index) {
    if (seen.has(id)) continue;
    if (entry.notFound) {
      forgottenNotFound.push(id);
      continue;
    }
    const mayDelete = ops.delete && (entry.owned || deletePolicy === 'matched');
    // A departed record is done with, unless its entry is still pending (an empty hash: state
    // written before departures waited for their group removals).
    if (entry.departed && !mayDelete && entry.hash !== '') continue;
    departing.push(id);
    if (mayDelete) deletable.push(id);
  }

  return {
    items,
    records,
    unidentifiedErrors,
    duplicateIds,
    duplicateKeys,
    keyHolder: (key) => keyOwner.get(key),
    inSource: (id) => seen.has(id),
    keyed,
    changed,
    departing,
    forgottenNotFound,
    plannedDeletes: deletable.length,
    deletable,
    propertyNames,
    samples: new Map([...samples].map(([name, values]) => [name, [...values]])),
    hasGroups,
    unchanged,
  };
}
