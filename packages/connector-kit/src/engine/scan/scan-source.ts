import { FIELD_SAMPLE_LIMIT } from '../../destination/define-destination';
import { isCanonicalNumber } from '../../values/numbers';
import { permits, type DeletePolicy } from '../../modes/permits';
import type { SyncMode } from '../../modes/sync-modes';
import { snapshotHash } from '../../records/snapshot-hash';
import type { PropertyValue, RecordSnapshot, RecordSource, SourceRecord } from '../../records/types';
import { StateIndex } from '../../state/state-index';
import type { StateIndexEntry } from '../../state/state-store';
import { notFoundStillFresh } from './not-found-memory';
import { IdentityOwners } from './identity-owners';
import { setOwner } from './owner-refs';
import { ScanMemo } from './scan-memo';
import { SeenIds } from './seen-ids';
import { ABSENT, StringTable } from '../../state/string-table';

/** Records of the source that share one match key. */
export interface SharedKey {
  /** The first two record ids with the key, in source order. */
  readonly ids: readonly [string, string];
  /** How many records have the key. */
  readonly count: number;
}

/** What the first pass over the source found. Counts are records. */
export interface SourceScan {
  /** Items the source yielded (records and unusable rows). */
  readonly items: number;
  /** Usable records. */
  readonly records: number;
  /** Rows that could not become records and whose id is unknown. */
  readonly unidentifiedErrors: number;
  /** Rows with an id that could not become records (bad encoding, a NUL, a nested value, a number that is not one): their values are unknown. */
  readonly unreadRows: number;
  /** Record ids that appear on more than one row. */
  readonly duplicateIds: ReadonlySet<string>;
  /** Normalised match key → the records sharing it, for keys shared by several records. */
  readonly duplicateKeys: ReadonlyMap<string, SharedKey>;
  /** Every record id whose match key another record shares. */
  readonly sharedKeyIds: ReadonlySet<string>;
  /** Ids whose row has no match key or could not be read: where their key goes is unknown in this run. */
  readonly keylessIds: ReadonlySet<string>;
  /** The id of the (first) source record with this normalised match key, if any. */
  keyHolder(key: string): string | undefined;
  /** The source records other than `except` having any of these identifiers (audiences with `identityKeys`; else none). */
  identityHolders(keys: readonly string[], except: string): string[];
  /** Distinct identifiers besides the match key (the destination's `identityKeys`) that the source's records have; 0 without them. */
  readonly identifiers: number;
  /** True when a row with this id is in the source (a usable record, or a row that failed to read). */
  inSource(id: string): boolean;
  /** Usable records that have a match key. */
  readonly keyed: number;
  /** Records whose match key the destination refused (`refuseKey`): each fails alone. */
  readonly refusedKeys: number;
  /** Records whose snapshot differs from state (or that are new). */
  readonly changed: number;
  /**
   * Of `changed`, the records this sync wrote before (state that is not a remembered "not
   * found"): the ones whose match key may have moved, so that a new record's key may name
   * a destination record another record holds.
   */
  readonly changedWithState: number;
  /** State records missing from the source that this run must look at. */
  readonly departing: readonly string[];
  /** Of `departing`, the ids the mode and policy would delete. */
  readonly deletable: readonly string[];
  /** Records remembered as not found that left the source: forgotten without a lookup. */
  readonly forgottenNotFound: readonly string[];
  /** Every property name the records carry. */
  readonly propertyNames: ReadonlySet<string>;
  /** Up to `FIELD_SAMPLE_LIMIT` distinct non-empty values per property name, in source order (see `PropertySample`). */
  readonly samples: ReadonlyMap<string, readonly PropertyValue[]>;
  /** Every group name the records carry. */
  readonly groupNames: ReadonlySet<string>;
  /** What the second pass reuses instead of computing each record's key and hash again. */
  readonly memo: ScanMemo;
  /** False when reading stopped early (the run was interrupted): departures are then unknown. */
  readonly complete: boolean;
}

/** What the first pass needs besides the source. */
export interface ScanOptions {
  readonly keyOf: (snapshot: RecordSnapshot) => string | undefined;
  /** Whether the destination refused a record's key (`refuseKey`), for {@link SourceScan.refusedKeys}. */
  readonly keyRefused?: ((snapshot: RecordSnapshot) => boolean) | undefined;
  /** Every identifier of a record, for audiences matched by any of several (indexed for {@link SourceScan.identityHolders}). */
  readonly identityKeysOf?: ((snapshot: RecordSnapshot) => readonly string[]) | undefined;
  readonly index: ReadonlyMap<string, StateIndexEntry>;
  readonly mode: SyncMode;
  readonly deletePolicy: DeletePolicy;
  /** How long a record remembered as not found is skipped without a lookup, ms. */
  readonly recheckNotFoundAfterMs: number;
  /** Sends every record to the second pass, unchanged ones too (`RunSyncOptions.recheck`). */
  readonly recheck?: boolean | undefined;
  /** The run's start, epoch ms. */
  readonly now: number;
  /** Stops reading when it returns true (the run was interrupted). */
  readonly stopped?: (() => boolean) | undefined;
}

/** Whether a value is a number a numeric field keeps as written, and a whole one. */
const whole = (v: PropertyValue) => isCanonicalNumber(v as Exclude<PropertyValue, null>) && Number.isInteger(Number(v));
const numeric = (v: PropertyValue) => isCanonicalNumber(v as Exclude<PropertyValue, null>);

/**
 * One property's sample: its first `FIELD_SAMPLE_LIMIT` distinct non-empty values, and, when
 * those are all numbers a numeric field keeps (all whole, or not), the first later value that
 * is not such a number: `02134` after a hundred whole numbers (a field typed from the sample
 * alone silently dropped its leading zero: fresh helper 72, finding 5), `2.5` or `N/A` (the
 * record failed `invalid_number` on every run, the field's type fixed for good: fresh helper
 * 73, finding 4).
 */
class PropertySample {
  readonly values = new Set<PropertyValue>();
  /** Once the sample is full: what every value in it is, when they are all numbers. */
  private watching: typeof whole | undefined;
  outlier: PropertyValue | undefined;

  add(value: PropertyValue): void {
    if (this.values.size < FIELD_SAMPLE_LIMIT) {
      this.values.add(value);
      if (this.values.size === FIELD_SAMPLE_LIMIT) this.watching = [whole, numeric].find((fits) => [...this.values].every(fits));
    } else if (this.watching && !this.watching(value)) {
      this.outlier = value;
      this.watching = undefined;
    }
  }

  /** The values a destination types a new field from. */
  sample(): PropertyValue[] {
    return this.outlier === undefined ? [...this.values] : [...this.values, this.outlier];
  }
}

/** Collects property names, sample values and group names. */
class SourceShape {
  readonly propertyNames = new Set<string>();
  readonly samples = new Map<string, PropertySample>();
  readonly groupNames = new Set<string>();

  add(snapshot: RecordSnapshot): void {
    const properties = snapshot.properties;
    for (const name in properties) {
      let seen = this.samples.get(name);
      if (seen === undefined) {
        this.propertyNames.add(name);
        seen = new PropertySample();
        this.samples.set(name, seen);
      }
      const value = properties[name] as PropertyValue;
      if (value !== null && value !== '') seen.add(value);
    }
    for (const g of snapshot.groups) this.groupNames.add(g);
  }
}

/**
 * Tracks match keys: who holds each (the first record with it), and which are shared. The
 * keys are kept in a {@link StringTable} (outside the JavaScript heap), their holders as
 * the {@link SeenIds} references of their ids.
 */
class KeyOwners {
  readonly keys = new StringTable();
  private owners = new Int32Array(1024);
  readonly shared = new Map<string, { ids: [string, string]; count: number }>();
  readonly sharedIds = new Set<string>();

  constructor(private readonly seen: SeenIds) {}

  /** Notes that record `id` (with reference `ref`, see {@link SeenIds}) has `key`; returns the key's entry in {@link KeyOwners.keys}. */
  add(key: string, id: string, ref: number): number {
    const before = this.keys.size;
    const entry = this.keys.add(key);
    if (entry === before) {
      this.owners = setOwner(this.owners, entry, ref);
      return entry;
    }
    const ownerRef = this.owners[entry] as number;
    if (ownerRef !== ref) {
      const owner = this.seen.idOf(ownerRef);
      const shared = this.shared.get(key);
      if (shared) shared.count++;
      else this.shared.set(key, { ids: [owner, id], count: 2 });
      this.sharedIds.add(owner).add(id);
    }
    return entry;
  }

  /** The id of the first record with `key`, if any. */
  holder(key: string): string | undefined {
    const entry = this.keys.find(key);
    return entry === ABSENT ? undefined : this.seen.idOf(this.owners[entry] as number);
  }
}

/** The state records missing from the source: which must be looked at, which may be deleted, which are forgotten. */
function departures(index: ReadonlyMap<string, StateIndexEntry>, seen: SeenIds, options: ScanOptions) {
  const departing: string[] = [];
  const deletable: string[] = [];
  const forgottenNotFound: string[] = [];
  // A columnar index is walked by slot: an entry (and its id) is read only for a record the source no longer has.
  const unseen: Iterable<[string, StateIndexEntry]> = index instanceof StateIndex ? seen.unseenEntries(index) : [...index].filter(([id]) => !seen.has(id));
  for (const [id, entry] of unseen) {
    if (entry.notFound) {
      forgottenNotFound.push(id);
      continue;
    }
    const mayDelete = permits(options.mode, 'delete', { owned: entry.owned, deletePolicy: options.deletePolicy });
    // A departed record is done with, unless its entry is still pending (an empty hash).
    if (entry.departed && !mayDelete && entry.hash !== '') continue;
    departing.push(id);
    if (mayDelete) deletable.push(id);
  }
  return { departing, deletable, forgottenNotFound };
}

/** The first pass's running totals. */
class ScanTally {
  items = 0;
  records = 0;
  unidentifiedErrors = 0;
  unreadRows = 0;
  changed = 0;
  changedWithState = 0;
  keyed = 0;
  refusedKeys = 0;
  readonly duplicateIds = new Set<string>();
  readonly keylessIds = new Set<string>();
  readonly shape = new SourceShape();
  readonly keys: KeyOwners;
  readonly memo: ScanMemo;
  readonly identities: IdentityOwners;

  constructor(
    readonly seen: SeenIds,
    readonly stateIndex: StateIndex | undefined,
  ) {
    this.keys = new KeyOwners(seen);
    this.identities = new IdentityOwners(seen);
    this.memo = new ScanMemo(stateIndex, this.keys.keys);
  }
}

/** Compares one record with state: notes its key, and what the second pass must do with it. */
function scanRecord(tally: ScanTally, item: SourceRecord, position: number, options: ScanOptions): void {
  const { seen, stateIndex, memo } = tally;
  tally.records++;
  tally.shape.add(item.snapshot);
  // One index lookup per record: its slot serves the seen-bit, the entry and the memo.
  const slot = stateIndex?.slot(item.id);
  if (!seen.add(item.id, slot)) tally.duplicateIds.add(item.id);
  const ref = seen.lastRef;
  const key = options.keyOf(item.snapshot);
  if (key === undefined) {
    tally.keylessIds.add(item.id); // fails alone in the second pass (missing_match_key, or why its key was refused)
    if (options.keyRefused?.(item.snapshot)) tally.refusedKeys++;
    return;
  }
  tally.keyed++;
  const keyEntry = tally.keys.add(key, item.id, ref);
  if (options.identityKeysOf) for (const identifier of options.identityKeysOf(item.snapshot)) tally.identities.add(identifier, ref);
  const entry = stateIndex ? (slot === undefined ? undefined : stateIndex.entryAt(slot)) : options.index.get(item.id);
  const hash = snapshotHash(item.snapshot);
  if (entry?.notFound) {
    if (notFoundStillFresh(entry, hash, options.recheckNotFoundAfterMs, options.now)) {
      if (slot !== undefined) memo.notFoundFresh(position, slot);
      return;
    }
  } else if (entry && !entry.departed && entry.hash === hash && options.recheck !== true) {
    if (slot !== undefined) memo.unchanged(position, slot, item.row);
    return;
  }
  tally.changed++;
  if (entry && !entry.notFound) tally.changedWithState++;
  memo.toSend(position, item.id, keyEntry);
}

/**
 * First pass: reads the whole source once, comparing each record with the sync's state,
 * without keeping snapshots in memory. Computes each record's match key and snapshot hash
 * (once per run: the {@link ScanMemo} keeps the decision, and the key of each record to
 * send), finds
 * duplicates (ids and match keys), counts changes and works out which records left the
 * source. A record remembered as not found counts as changed only when its snapshot
 * changed or the recheck window has passed.
 */
export async function scanSource(source: RecordSource, options: ScanOptions): Promise<SourceScan> {
  const { index } = options;
  const stateIndex = index instanceof StateIndex ? index : undefined;
  const tally = new ScanTally(new SeenIds(index), stateIndex);
  let complete = true;
  for await (const item of source.open()) {
    if (options.stopped?.()) {
      complete = false;
      break;
    }
    const position = tally.items++;
    if (item.kind === 'record') scanRecord(tally, item, position, options);
    else if (item.id === undefined) tally.unidentifiedErrors++;
    else {
      if (!tally.seen.add(item.id)) tally.duplicateIds.add(item.id);
      tally.unreadRows++;
      tally.keylessIds.add(item.id);
    }
  }
  const { seen, keys, shape } = tally;
  return {
    items: tally.items,
    records: tally.records,
    unidentifiedErrors: tally.unidentifiedErrors,
    unreadRows: tally.unreadRows,
    duplicateIds: tally.duplicateIds,
    duplicateKeys: keys.shared,
    sharedKeyIds: keys.sharedIds,
    keylessIds: tally.keylessIds,
    keyHolder: (key) => keys.holder(key),
    identityHolders: (ids, except) => (options.identityKeysOf ? tally.identities.holders(ids, except) : []),
    identifiers: tally.identities.size,
    inSource: (id) => seen.has(id),
    keyed: tally.keyed,
    refusedKeys: tally.refusedKeys,
    changed: tally.changed,
    changedWithState: tally.changedWithState,
    ...(complete ? departures(index, seen, options) : { departing: [], deletable: [], forgottenNotFound: [] }),
    propertyNames: shape.propertyNames,
    samples: new Map([...shape.samples].map(([name, sample]) => [name, sample.sample()])),
    groupNames: shape.groupNames,
    memo: tally.memo,
    complete,
  };
}
