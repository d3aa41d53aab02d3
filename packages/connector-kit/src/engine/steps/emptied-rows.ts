import type { RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import type { RecordView } from '../ledger/ledger-record';
import { changedRecords, keepsItsValues } from './changed-records';
import { TELLING_VALUES, valuesOutsideKey } from './whole-row-moves';

type KeyOf = (s: RecordSnapshot) => string | undefined;

/** Why a record of the window is refused: its row kept none of its values, and `carrier` has some (or rows could not be read). */
export interface Emptied {
  readonly record: RecordView;
  /** The row now carrying some of its last values; undefined when refused because rows could not be read. */
  readonly carrier?: RecordView | undefined;
  /** For a carrier refused with it: the emptied record whose values it carries. */
  readonly carries?: RecordView | undefined;
}

/** A `valueKey` without its property name: the value and its type. */
const valueOnly = (v: string): string => v.slice(v.indexOf('\u0000') + 1);

/**
 * Value → the one changed record whose last row held it and the one row of the window holding
 * it now (null where several do: a plan or a city tells nobody apart).
 */
function tellingOwners(lastOf: ReadonlyMap<RecordView, string[]>, nowOf: ReadonlyMap<RecordView, string[]>) {
  const owners = (of: ReadonlyMap<RecordView, string[]>) => {
    const out = new Map<string, RecordView | null>();
    for (const [r, values] of of) for (const v of values) out.set(v, out.has(v) ? null : r);
    return out;
  };
  return { last: owners(lastOf), now: owners(nowOf) };
}

/**
 * Records of a window whose row kept none of the values that told them apart (each held, among
 * the window's changed records, by their last row alone), in any field, while another row of the window now
 * holds one of those values (held by no other row): read by id, a person changed every value and
 * someone else took one; read by values, the ids were swapped, rotated, shifted or reused, with
 * edits (tenth trial of stop 28: a swap where one row also changed its name and phone rewrote both
 * records; an id reused while its person came back under a new id with two edits). Counted only
 * where the carrier is a new id or emptied too, and both are refused; a carrier that kept its own
 * values traded some (plans and cities, a household's phone): an ordinary change; so is a record
 * with one telling value whose new value is another row's old one, alone (Phone 2 remapped to
 * Phone 1, where one row's first number is another's second: fresh helper 116) — not where such
 * moves link up (two ids swapped, three rotated, a shift: the carrier's own value was carried
 * too, or the record carries another's; fresh reviewer 117, F1). While rows
 * could not be read (`unreadRows`), any emptied record is refused: an unreadable row may be its
 * person under another id. Each row's values are computed once.
 */
export function emptiedRows(rows: readonly RecordView[], keyOf: KeyOf, unreadRows: number): Emptied[] {
  const changed = changedRecords(rows);
  if (changed.length === 0) return [];
  // A row that keeps its values is no row of the window here, as an unchanged one is not.
  const open = rows.filter((r) => r.result === undefined && r.next !== null && !keepsItsValues(r));
  const lastOf = new Map(changed.map((r) => [r, valuesOutsideKey((r.entry as StateEntry).snapshot, keyOf)] as const));
  const nowOf = new Map(open.map((r) => [r, valuesOutsideKey(r.next as RecordSnapshot, keyOf)] as const));
  const { last, now } = tellingOwners(lastOf, nowOf);
  const told = new Map(changed.map((r) => [r, (lastOf.get(r) ?? []).filter((v) => last.get(v) === r).length] as const));
  // Kept whatever the field: Phone 1 and Phone 2 swapped keep both numbers (fresh reviewer 119, F3: 20 rows refused).
  const kept = (r: RecordView) => {
    const now = new Set((nowOf.get(r) ?? []).map(valueOnly));
    return (lastOf.get(r) ?? []).some((v) => last.get(v) === r && now.has(valueOnly(v)));
  };
  const emptied = new Set(changed.filter((r) => (told.get(r) ?? 0) > 0 && !kept(r)));
  // Row s now alone holds a value only o's last row had, o kept none of its own: s carries o's.
  const pairs: [o: RecordView, s: RecordView][] = [];
  for (const s of open) {
    for (const v of nowOf.get(s) ?? []) {
      const o = last.get(v);
      // A carrier that kept its own values traded some with it (plans and cities): an ordinary change.
      if (o && o !== s && emptied.has(o) && now.get(v) === s && (s.entry === undefined || emptied.has(s))) pairs.push([o, s]);
    }
  }
  const carriers = new Set(pairs.map(([, s]) => s));
  const carried = new Set(pairs.map(([o]) => o));
  const out = new Map<RecordView, Emptied>();
  for (const [o, s] of pairs) {
    // One value alone does not tell who a row is (TELLING_VALUES): a phone remapped to another column may hit another row's
    // old one (fresh helper 116). Unless the moves link up — swapped, rotated or shifted ids: the carrier's own value moved
    // too, or o carries another's (fresh reviewer 117, F1) — or the carrier is a new id.
    const linked = s.entry === undefined || carried.has(s) || carriers.has(o);
    if ((told.get(o) ?? 0) < TELLING_VALUES && !linked) continue;
    if (!out.has(o)) out.set(o, { record: o, carrier: s });
    if (!out.has(s)) out.set(s, { record: s, carries: o });
  }
  if (unreadRows > 0) for (const r of emptied) if (!out.has(r)) out.set(r, { record: r });
  return [...out.values()];
}
