import type { ConformanceRecord } from '@syncmodes/connector-kit/testing';
import type { RowComparer, Values } from './row-compare';

/** What the window rules read of the model: the comparer and the sync's state of each row. */
export interface WindowView {
  readonly compare: RowComparer;
  /** True when the state knows the destination record of row `id` (it was written before). */
  idKnown(id: string): boolean;
  /** The values the state holds for row `id` (what its row said last); only asked for rows with `idKnown`. */
  lastValues(id: string): Values;
  /** True when `r` holds what its row said last (the kit's `keepsItsValues`): left out of the comparisons. */
  keepsItsValues(r: ConformanceRecord): boolean;
}

/** Refusals so far (row id → `outcome:code`). */
type Refusals = ReadonlyMap<string, string>;

/** Rows refused for a key move are refused before the window's rows are compared (in the kit): they are not compared. */
const keyMoveRefused = (refusals: Refusals, id: string) => refusals.get(id) === 'failed:match_key_taken';

/**
 * Changed records whose row now holds exactly another changed record's last values outside
 * the key (held by no other row), on a cycle of such moves or a chain ending at a record
 * refused already (the kit's `wholeRowMoves`).
 */
export function wholeRowMoves(considered: readonly ConformanceRecord[], refusals: Refusals, view: WindowView): string[] {
  const changed = considered.filter((r) => view.idKnown(r.id) && !keyMoveRefused(refusals, r.id) && !view.keepsItsValues(r));
  const unique = (of: (r: ConformanceRecord) => string | undefined) => {
    const out = new Map<string, string | null>();
    for (const r of changed) {
      const sig = of(r);
      if (sig !== undefined) out.set(sig, out.has(sig) ? null : r.id);
    }
    return out;
  };
  const last = unique((r) => view.compare.signature(view.lastValues(r.id)));
  const now = unique((r) => view.compare.signature(r.snapshot.properties));
  const holds = new Map<string, string>();
  for (const [sig, id] of now) {
    const other = id === null ? undefined : last.get(sig);
    if (id !== null && other && other !== id) holds.set(id, other);
  }
  for (const [id, other] of nearHolders(changed, view)) if (!holds.has(id)) holds.set(id, other);
  return onCyclesOrRefusedChains(holds, refusals);
}

/** The rows of `holds` (row → the record whose values it holds) on a cycle, or on a chain ending at a row refused `identity_unclear` (that row left out). */
function onCyclesOrRefusedChains(holds: ReadonlyMap<string, string>, refusals: Refusals): string[] {
  const out = new Set<string>();
  for (const start of holds.keys()) {
    const path: string[] = [];
    let at: string | undefined = start;
    while (at !== undefined && !path.includes(at)) {
      path.push(at);
      at = holds.get(at);
    }
    const end = path[path.length - 1] as string;
    if (at === start) path.forEach((id) => out.add(id));
    else if (!holds.has(end) && refusals.get(end) === 'failed:identity_unclear') path.slice(0, -1).forEach((id) => out.add(id));
  }
  return [...out];
}

/**
 * Row id → the record whose last row it nearly holds (the kit's `nearHolders`): of the values
 * held by one changed record's last row, it keeps none of its own and has all but at most one
 * of that record's, at least two, with at most one other; a tie holds nothing.
 */
function nearHolders(changed: readonly ConformanceRecord[], view: WindowView): Map<string, string> {
  const lastValues = new Map(changed.map((r) => [r.id, view.compare.valuesOutsideKey(view.lastValues(r.id))] as const));
  const owner = new Map<string, string | null>();
  for (const [id, values] of lastValues) for (const v of values) owner.set(v, owner.has(v) ? null : id);
  const telling = (values: readonly string[]) => values.filter((v) => owner.get(v) !== null);
  const out = new Map<string, string>();
  for (const r of changed) {
    const now = telling(view.compare.valuesOutsideKey(r.snapshot.properties));
    if (now.some((v) => owner.get(v) === r.id)) continue;
    const counts = new Map<string, number>();
    for (const v of now) {
      const o = owner.get(v);
      if (o) counts.set(o, (counts.get(o) ?? 0) + 1);
    }
    const ranked = [...counts].sort((a, b) => b[1] - a[1]);
    const [best, second] = ranked;
    if (best === undefined || (second !== undefined && second[1] === best[1])) continue;
    const theirs = telling(lastValues.get(best[0]) ?? []).length;
    if (best[1] >= 2 && best[1] >= theirs - 1 && best[1] >= now.length - 1) out.set(r.id, best[0]);
  }
  return out;
}

/**
 * Changed records whose row kept none of the values only their last row had, while a new id
 * or another such record now alone holds one of them: both (the kit's `emptiedRows`); where
 * only one value told the record apart, only when the moves link up or the carrier is new.
 */
export function emptiedRows(considered: readonly ConformanceRecord[], refusals: Refusals, view: WindowView): string[] {
  const outside = (values: Values) => view.compare.valuesOutsideKey(values);
  const open = considered.filter((r) => !keyMoveRefused(refusals, r.id) && !view.keepsItsValues(r));
  const changed = open.filter((r) => view.idKnown(r.id));
  const last = new Map<string, string | null>();
  for (const r of changed) for (const v of outside(view.lastValues(r.id))) last.set(v, last.has(v) ? null : r.id);
  const now = new Map<string, string | null>();
  for (const r of open) for (const v of outside(r.snapshot.properties)) now.set(v, now.has(v) ? null : r.id);
  const told = new Map(changed.map((r) => [r.id, outside(view.lastValues(r.id)).filter((v) => last.get(v) === r.id).length] as const));
  // Kept in any field (the kit's `valueOnly`): Phone 1 and Phone 2 swapped keep both numbers.
  const valueOnly = (v: string) => JSON.stringify((JSON.parse(v) as unknown[]).slice(1));
  const kept = (r: ConformanceRecord) => {
    const held = new Set(outside(r.snapshot.properties).map(valueOnly));
    return outside(view.lastValues(r.id)).some((v) => last.get(v) === r.id && held.has(valueOnly(v)));
  };
  const emptied = new Set(changed.filter((r) => (told.get(r.id) ?? 0) > 0 && !kept(r)).map((r) => r.id));
  const pairs: [o: string, s: string, fresh: boolean][] = [];
  for (const s of open) {
    const fresh = !view.idKnown(s.id);
    for (const v of outside(s.snapshot.properties)) {
      const o = last.get(v);
      if (o && o !== s.id && emptied.has(o) && now.get(v) === s.id && (fresh || emptied.has(s.id))) pairs.push([o, s.id, fresh]);
    }
  }
  const carriers = new Set(pairs.map(([, s]) => s));
  const carried = new Set(pairs.map(([o]) => o));
  const out = new Set<string>();
  // One telling value tells who a row is only where such moves link up or the carrier is a new id (the kit's TELLING_VALUES).
  for (const [o, s, fresh] of pairs) if ((told.get(o) ?? 0) >= 2 || fresh || carried.has(s) || carriers.has(o)) out.add(o).add(s);
  return [...out];
}
