import { foundOf } from '../ledger/found-groups';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';
import { membershipsElsewhere } from './memberships-elsewhere';

/**
 * For destinations keeping membership in the record (`groupMembership: 'record'`): of each
 * record's added groups (by ref), those its destination record holds as a sync's own — under
 * another state entry of this sync (a row that left the source or changed its id while the
 * destination record stayed), or of another sync of the same account sharing the state — the
 * same name but for case. The destination answering such an add "already in"
 * (`ItemResult.alreadyIn`) describes that membership, made by syncs, not someone else's (fresh
 * reviewer 102, F1: after a row's id changed, a OneSignal tag this sync had set was taken for
 * the app's and never removed), as `addOrigins` decides for group verbs. One state read per
 * call (and one per other sync sharing the state); none when no record adds a group.
 */
export async function addsHeldBySyncs(ctx: RecordRunContext, records: readonly RecordView[]): Promise<ReadonlyMap<number, ReadonlySet<string>>> {
  const adding = records.filter((r) => r.destinationId !== undefined && (r.plan?.addGroups.length ?? 0) > 0);
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
  for (const [id, others] of await membershipsElsewhere(ctx, adding)) for (const h of others) hold(id, h.groups.filter((g) => !h.found.includes(g)));
  for (const r of adding) {
    const byOthers = held.get(r.destinationId as string);
    const names = byOthers ? (r.plan?.addGroups ?? []).filter((g) => byOthers.has(g.toLowerCase())) : [];
    if (names.length > 0) out.set(r.ref, new Set(names));
  }
  return out;
}
