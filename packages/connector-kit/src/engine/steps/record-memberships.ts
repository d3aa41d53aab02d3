import { foundOf } from '../ledger/found-groups';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';
import { membershipsElsewhere, type MembershipsElsewhere } from './memberships-elsewhere';

/** What state says of a window's record-kept group changes, by ref: see {@link recordMemberships}. */
export interface RecordMemberships {
  /** Added groups whose membership is a sync's own, whatever the destination answers ("already in"). */
  readonly held: ReadonlyMap<number, ReadonlySet<string>>;
  /** Left groups another sync sharing the state still has the record in, with those syncs' names: the removal is not sent. */
  readonly keptFor: ReadonlyMap<number, ReadonlyMap<string, readonly string[]>>;
}

/** Group key → the syncs (or `''` for this sync's other rows) holding it as their own, per destination record. */
type Holds = Map<string, Map<string, Set<string>>>;

function addHold(holds: Holds, destinationId: string, keys: readonly string[], by: string): void {
  const byKey = holds.get(destinationId) ?? new Map<string, Set<string>>();
  for (const k of keys) byKey.set(k, (byKey.get(k) ?? new Set<string>()).add(by));
  holds.set(destinationId, byKey);
}

/** Who holds each group of the records' destination records as their own: this sync's other rows, and other syncs sharing the state. */
async function holdsOf(ctx: RecordRunContext, records: readonly RecordView[], elsewhere: MembershipsElsewhere): Promise<Holds> {
  const holds: Holds = new Map();
  const own = new Map(records.map((r) => [r.destinationId as string, r.recordId]));
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, [...own.keys()])) {
    const found = foundOf(e);
    if (e.destinationId !== null && own.get(e.destinationId) !== e.recordId) addHold(holds, e.destinationId, e.snapshot.groups.filter((g) => !found.has(g)).map(ctx.groupKey), '');
  }
  for (const [id, others] of elsewhere) for (const h of others) addHold(holds, id, h.groups.filter((g) => !h.found.includes(g)).map(ctx.groupKey), h.sync);
  return holds;
}

/**
 * For destinations keeping membership in the record (`groupMembership: 'record'`), what the
 * state says of the records' group changes before they are sent — groups compared by the
 * destination's key (`groupKey`: OneSignal's tag), never by name alone:
 *
 * - `held`: an added group whose membership a sync holds as its own — this sync's other rows
 *   (one that left the source or changed its id while the destination record stayed), another
 *   sync of the same account sharing the state, or the record's own state under another name
 *   (`VIP` renamed `vip`) — stays a sync's own when the destination answers it was already there
 *   (`ItemResult.alreadyIn`; fresh reviewers 102 F1 and 105 F1: kept for good, as someone else's);
 * - an added group the record's own state has under another name as found (someone else's) is
 *   not held: when the destination answers it was already there, it stays someone else's (fresh
 *   reviewer 105, F2: the app's tag was later deleted);
 * - `keptFor`: a left group another sync still has the destination record in is not removed —
 *   this sync only forgets it, and the result names those syncs — as `changeMembership` does for
 *   group verbs (fresh reviewers 104 F1 and 105 F3).
 *
 * One state read for this sync, and one per other sync sharing the state; none when no record
 * changes a group.
 */
export async function recordMemberships(ctx: RecordRunContext, records: readonly RecordView[]): Promise<RecordMemberships> {
  const changing = records.filter((r) => r.destinationId !== undefined && (r.plan?.addGroups.length ?? 0) + (r.plan?.removeGroups.length ?? 0) > 0);
  const held = new Map<number, Set<string>>();
  const keptFor = new Map<number, Map<string, readonly string[]>>();
  if (changing.length === 0) return { held, keptFor };
  const elsewhere = await membershipsElsewhere(ctx, changing);
  const holds = await holdsOf(ctx, changing, elsewhere);
  for (const r of changing) {
    const byKey = holds.get(r.destinationId as string);
    const entryFound = foundOf(r.entry);
    const ownKeys = new Set((r.entry?.snapshot.groups ?? []).filter((g) => !entryFound.has(g)).map(ctx.groupKey));
    for (const g of r.plan?.addGroups ?? []) {
      const k = ctx.groupKey(g);
      if (byKey?.has(k) || ownKeys.has(k)) held.set(r.ref, (held.get(r.ref) ?? new Set<string>()).add(g));
    }
    for (const g of r.plan?.removeGroups ?? []) {
      const syncs = [...(byKey?.get(ctx.groupKey(g)) ?? [])].filter((s) => s !== '');
      if (syncs.length > 0) keptFor.set(r.ref, (keptFor.get(r.ref) ?? new Map<string, readonly string[]>()).set(g, syncs));
    }
  }
  return { held, keptFor };
}
