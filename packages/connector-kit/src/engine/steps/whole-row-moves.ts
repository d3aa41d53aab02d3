import { isEmpty } from '../../records/property-diff';
import type { RecordSnapshot } from '../../records/types';
import type { RecordView } from '../ledger/ledger-record';
import type { StateEntry } from '../../state/state-store';
import { changedRecords } from './changed-records';
import { valueKey } from './value-carriers';

type KeyOf = (s: RecordSnapshot) => string | undefined;

/** Fewest non-empty values outside the match key a row must have for its values to tell who it is. */
export const TELLING_VALUES = 2;

/**
 * The non-empty values of `snapshot` outside its match key (a property whose emptying changes
 * the key is part of it), as one string; undefined when fewer than {@link TELLING_VALUES}.
 */
function signature(snapshot: RecordSnapshot, keyOf: KeyOf): string | undefined {
  const key = keyOf(snapshot);
  const values = Object.keys(snapshot.properties)
    .sort()
    .filter((name) => !isEmpty(snapshot.properties[name]) && keyOf({ ...snapshot, properties: { ...snapshot.properties, [name]: null } }) === key)
    .map((name) => [name, typeof snapshot.properties[name], String(snapshot.properties[name])]);
  return values.length < TELLING_VALUES ? undefined : JSON.stringify(values);
}

/** The non-empty values of `snapshot` outside its match key, each as a `valueKey`. */
export function valuesOutsideKey(snapshot: RecordSnapshot, keyOf: KeyOf): string[] {
  const key = keyOf(snapshot);
  return Object.keys(snapshot.properties).flatMap((name) => {
    const k = valueKey(name, snapshot.properties[name]);
    return k !== undefined && keyOf({ ...snapshot, properties: { ...snapshot.properties, [name]: null } }) === key ? [k] : [];
  });
}

/**
 * Row → the record whose last row it nearly holds: of the values outside the key that tell
 * rows apart (held by one changed record's last row; values several held, a plan or a city,
 * are left out), the row keeps none of its own and holds all but at most one of that record's,
 * at least two, with at most one value of its own besides (ninth trial of stop 28: a swap or a
 * rotation plus one ordinary edit). A row as close to two records holds neither.
 */
function nearHolders(changed: readonly RecordView[], keyOf: KeyOf): Map<RecordView, RecordView> {
  const lastValues = new Map(changed.map((r) => [r, valuesOutsideKey((r.entry as StateEntry).snapshot, keyOf)] as const));
  const owner = new Map<string, RecordView | null>();
  for (const [r, values] of lastValues) for (const v of values) owner.set(v, owner.has(v) ? null : r);
  const telling = (values: readonly string[]) => values.filter((v) => owner.get(v) !== null);
  const out = new Map<RecordView, RecordView>();
  for (const r of changed) {
    const now = telling(valuesOutsideKey(r.next as RecordSnapshot, keyOf));
    if (now.some((v) => owner.get(v) === r)) continue;
    const counts = new Map<RecordView, number>();
    for (const v of now) {
      const o = owner.get(v);
      if (o) counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    const [best, second] = [...counts].sort((a, b) => b[1] - a[1]);
    if (best === undefined || (second !== undefined && second[1] === best[1])) continue;
    const [o, held] = best;
    const theirs = telling(lastValues.get(o) ?? []).length;
    if (held >= 2 && held >= theirs - 1 && held >= now.length - 1) out.set(r, o);
  }
  return out;
}

/** Signature → the one row holding it (null: several do, so it tells nobody apart). */
function uniqueBy(rows: readonly RecordView[], of: (r: RecordView) => string | undefined): Map<string, RecordView | null> {
  const out = new Map<string, RecordView | null>();
  for (const r of rows) {
    const s = of(r);
    if (s !== undefined) out.set(s, out.has(s) ? null : r);
  }
  return out;
}

/**
 * Records of a window whose row now holds exactly another changed record's last values
 * outside the match key — every one of them, at least two, held by no other row — or nearly
 * ({@link nearHolders}: all but one, a swap plus an edit), where the
 * rows moving so close into a cycle (two records swapped their whole rows, three rotated them)
 * or lead to a record refused already (a shift whose first row describes someone who left).
 * Where the match key is the source's id itself (an external-id field, Intercom's
 * `external_id`), that is how swapped, rotated or shifted ids look, and updating by key would
 * write each person onto another's record (eighth trial of stop 28: two contacts' contents
 * swapped, three shifted). Returns each such record with the record whose row it holds.
 * Values many rows share (a plan, a city) tell nobody apart, so churn in them is left alone.
 */
export function wholeRowMoves(rows: readonly RecordView[], refused: ReadonlySet<number>, keyOf: KeyOf): Map<RecordView, RecordView> {
  const changed = changedRecords(rows);
  const lastHolder = uniqueBy(changed, (r) => signature((r.entry as NonNullable<RecordView['entry']>).snapshot, keyOf));
  const nowHolder = uniqueBy(changed, (r) => signature(r.next as RecordSnapshot, keyOf));
  // Each row points to the record whose last row it now holds (at most one: signatures are unique), else nearly holds.
  const holds = new Map<RecordView, RecordView>();
  for (const [s, r] of nowHolder) {
    const o = r === null ? undefined : lastHolder.get(s);
    if (r && o && o !== r) holds.set(r, o);
  }
  for (const [r, o] of nearHolders(changed, keyOf)) if (!holds.has(r)) holds.set(r, o);
  const out = new Map<RecordView, RecordView>();
  for (const start of holds.keys()) {
    const path: RecordView[] = [];
    let at: RecordView | undefined = start;
    while (at !== undefined && !path.includes(at)) {
      path.push(at);
      at = holds.get(at);
    }
    // A cycle back to the start, or a chain ending at a record refused in this run.
    const last = path[path.length - 1] as RecordView;
    const refusedEnd = holds.has(last) ? false : refused.has(last.ref);
    if (at === start || refusedEnd) for (const r of at === start ? path : path.slice(0, -1)) if (!out.has(r)) out.set(r, holds.get(r) as RecordView);
  }
  return out;
}
