import { FIELD_SAMPLE_LIMIT } from '../destination/define-destination';
import type { RecordSnapshot } from '../records/types';
import { operationsFor, type SyncMode } from '../modes/sync-modes';
import { snapshotHash } from '../records/snapshot-hash';
import type { PropertyValue, RecordSource } from '../records/types';
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
  /** Normalised match key → first record id, for keys shared by several records. */
  readonly duplicateKeys: ReadonlyMap<string, string>;
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
  /** Every property name the records carry. */
  readonly propertyNames: ReadonlySet<string>;
  /** Up to `FIELD_SAMPLE_LIMIT` distinct non-empty values per property name, in source order. */
  readonly samples: ReadonlyMap<string, readonly PropertyValue[]>;
  /** Whether any record carries groups. */
  readonly hasGroups: boolean;
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
  const seen = new Set<string>();
  const duplicateIds = new Set<string>();
  const keyOwner = new Map<string, string>();
  const duplicateKeys = new Map<string, string>();
  let items = 0;
  let records = 0;
  let unidentifiedErrors = 0;
  let changed = 0;
  let keyed = 0;
  const propertyNames = new Set<string>();
  const samples = new Map<string, Set<PropertyValue>>();
  let hasGroups = false;

  for await (const item of source.open()) {
    items++;
    if (item.kind === 'error') {
      if (item.id === undefined) unidentifiedErrors++;
      else if (seen.has(item.id)) duplicateIds.add(item.id);
      else seen.add(item.id);
      continue;
    }
    records++;
    for (const [name, value] of Object.entries(item.snapshot.properties)) {
      propertyNames.add(name);
      if (value === null || value === '') continue;
      const seenValues = samples.get(name) ?? new Set<PropertyValue>();
      if (seenValues.size < FIELD_SAMPLE_LIMIT) seenValues.add(value);
      samples.set(name, seenValues);
    }
    if (item.snapshot.groups.length > 0) hasGroups = true;
    if (seen.has(item.id)) duplicateIds.add(item.id);
    seen.add(item.id);
    const key = keyOf(item.snapshot);
    if (key !== undefined) {
      keyed++;
      const owner = keyOwner.get(key);
      if (owner === undefined) keyOwner.set(key, item.id);
      else if (owner !== item.id) duplicateKeys.set(key, owner);
    }
    const entry = index.get(item.id);
    // A record without a match key fails alone (missing_match_key): nothing to look up or send.
    const hash = snapshotHash(item.snapshot);
    const stale = entry?.notFound ? !notFoundStillFresh(entry, hash, recheckNotFoundAfterMs, now) : !entry || entry.departed || entry.hash !== hash;
    if (key !== undefined && stale) changed++;
  }

  const ops = operationsFor(mode);
  const departing: string[] = [];
  const forgottenNotFound: string[] = [];
  let plannedDeletes = 0;
  for (const [id, entry] of index) {
    if (seen.has(id)) continue;
    if (entry.notFound) {
      forgottenNotFound.push(id);
      continue;
    }
    const deletable = ops.delete && (entry.owned || deletePolicy === 'matched');
    if (entry.departed && !deletable) continue;
    departing.push(id);
    if (deletable) plannedDeletes++;
  }

  return {
    items,
    records,
    unidentifiedErrors,
    duplicateIds,
    duplicateKeys,
    keyed,
    changed,
    departing,
    forgottenNotFound,
    plannedDeletes,
    propertyNames,
    samples: new Map([...samples].map(([name, values]) => [name, [...values]])),
    hasGroups,
  };
}
