import { isEmpty } from '../../records/property-diff';
import type { RecordSnapshot } from '../../records/types';
import type { RecordView } from '../ledger/ledger-record';

type KeyOf = (s: RecordSnapshot) => string | undefined;

/** Fewest non-empty values outside the match key a row must have for its values to tell who it is. */
const TELLING_VALUES = 2;

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
 * outside the match key — every one of them, at least two, held by no other row — where the
 * rows moving so close into a cycle (two records swapped their whole rows, three rotated them)
 * or lead to a record refused already (a shift whose first row describes someone who left).
 * Where the match key is the source's id itself (an external-id field, Intercom's
 * `external_id`), that is how swapped, rotated or shifted ids look, and updating by key would
 * write each person onto another's record (eighth trial of stop 28: two contacts' contents
 * swapped, three shifted). Returns each such record with the record whose row it holds.
 * Values many rows share (a plan, a city) tell nobody apart, so churn in them is left alone.
 */
export function wholeRowMoves(rows: readonly RecordView[], refused: ReadonlySet<number>, keyOf: KeyOf): Map<RecordView, RecordView> {
  const changed = rows.filter((r) => r.result === undefined && r.next !== null && r.entry !== undefined && !r.entry.notFound && r.entry.destinationId !== null);
  const lastHolder = uniqueBy(changed, (r) => signature((r.entry as NonNullable<RecordView['entry']>).snapshot, keyOf));
  const nowHolder = uniqueBy(changed, (r) => signature(r.next as RecordSnapshot, keyOf));
  // Each row points to the record whose last row it now holds (at most one: signatures are unique).
  const holds = new Map<RecordView, RecordView>();
  for (const [s, r] of nowHolder) {
    const o = r === null ? undefined : lastHolder.get(s);
    if (r && o && o !== r) holds.set(r, o);
  }
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
