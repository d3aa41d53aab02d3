import { foundOf } from '../ledger/found-groups';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';
import { holdersOf, membershipsElsewhere, type MembershipsElsewhere } from './memberships-elsewhere';

/**
 * For destinations keeping membership in the record (`groupMembership: 'record'`): of each
 * record's added groups (by ref), those its destination record holds as a sync's own — under
 * another state entry of this sync (a row that left the source or changed its id while the
 * destination record stayed), or of another sync of the same account sharing the state — the
 * same name but for case. The destination answering such an add "already in"
 * (`ItemResult.alreadyIn`) describes that membership, made by syncs, not someone else's (fresh
 * reviewer 102, F1: after a row's id changed, a OneSignal tag this sync had set was taken for
 * the app's and never removed), as `addOrigins` decides for group verbs.
 */
async function addsHeldBySyncs(ctx: RecordRunContext, adding: readonly RecordView[], elsewhere: MembershipsElsewhere): Promise<ReadonlyMap<number, ReadonlySet<string>>> {
  const out = new Map<number, ReadonlySet<string>>();
  if (adding.length === 0) return out;
  const held = new Map<string, Set<string>>();
  // Of this sync, the other rows' entries only: the record's own is its state (`foundAfter` reads it), or this run's write-ahead mark.
  const own = new Map(adding.map((r) => [r.destinationId as string, r.recordId]));
  const hold = (destinationId: string, groups: readonly string[]) => {
    const set = held.get(destinationId) ?? new Set<string>();
    for (const g of groups) set.add(g.toLowerCase());
    held.set(destinationId, set);
  };
  const ids = [...new Set(adding.map((r) => r.destinationId as string))];
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, ids)) {
    const found = foundOf(e);
    if (e.destinationId !== null && own.get(e.destinationId) !== e.recordId) hold(e.destinationId, e.snapshot.groups.filter((g) => !found.has(g)));
  }
  for (const [id, others] of elsewhere) for (const h of others) hold(id, h.groups.filter((g) => !h.found.includes(g)));
  for (const r of adding) {
    const byOthers = held.get(r.destinationId as string);
    const names = byOthers ? (r.plan?.addGroups ?? []).filter((g) => byOthers.has(g.toLowerCase())) : [];
    if (names.length > 0) out.set(r.ref, new Set(names));
  }
  return out;
}

/**
 * Of each record's left groups (by ref), those another sync of the same account sharing the
 * state still has the destination record in from its source, with those syncs' names: the
 * removal is not sent — this sync only forgets the membership, and the result says why — as
 * `changeMembership` does for group verbs (fresh reviewer 104, F1: sync A took the OneSignal
 * tag off while sync B's row still wanted it, and B, its row unchanged, never set it again).
 */
function removalsKeptFor(ctx: RecordRunContext, leaving: readonly RecordView[], elsewhere: MembershipsElsewhere): ReadonlyMap<number, ReadonlyMap<string, readonly string[]>> {
  const out = new Map<number, Map<string, readonly string[]>>();
  if (elsewhere.size === 0) return out;
  for (const r of leaving) {
    for (const g of r.plan?.removeGroups ?? []) {
      const syncs = holdersOf(ctx, elsewhere, r, g, '');
      if (syncs.length > 0) out.set(r.ref, (out.get(r.ref) ?? new Map<string, readonly string[]>()).set(g, syncs));
    }
  }
  return out;
}

/** What state says of a window's record-kept group changes: adds a sync holds (`held`), removals kept for other syncs (`keptFor`). */
export interface RecordMemberships {
  readonly held: ReadonlyMap<number, ReadonlySet<string>>;
  readonly keptFor: ReadonlyMap<number, ReadonlyMap<string, readonly string[]>>;
}

/**
 * For destinations keeping membership in the record (`groupMembership: 'record'`), what the
 * state says of the records' group changes before they are sent (see {@link addsHeldBySyncs}
 * and {@link removalsKeptFor}). One state read for this sync when a record adds a group, and
 * one per other sync sharing the state; none when no record changes a group.
 */
export async function recordMemberships(ctx: RecordRunContext, records: readonly RecordView[]): Promise<RecordMemberships> {
  const changing = records.filter((r) => r.destinationId !== undefined);
  const adding = changing.filter((r) => (r.plan?.addGroups.length ?? 0) > 0);
  const leaving = changing.filter((r) => (r.plan?.removeGroups.length ?? 0) > 0);
  if (adding.length === 0 && leaving.length === 0) return { held: new Map(), keptFor: new Map() };
  const elsewhere = await membershipsElsewhere(ctx, [...adding, ...leaving]);
  return { held: await addsHeldBySyncs(ctx, adding, elsewhere), keptFor: removalsKeptFor(ctx, leaving, elsewhere) };
}
