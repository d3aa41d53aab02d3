import type { GroupRef, TargetItem } from '../../destination/verbs';
import { isRunStopping } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import { chunk } from '../calls/chunk';
import { sendBatch } from '../calls/send-batch';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { resolveGroupsOf } from '../groups/resolve-groups';
import { holdersOf, membershipsElsewhere } from './memberships-elsewhere';
import { addOrigins, countingSends } from './add-origins';

type Direction = 'add' | 'remove';

const namesOf = (record: RecordView, direction: Direction) => (direction === 'add' ? record.plan?.addGroups : record.plan?.removeGroups) ?? [];

/** Sends one group's membership changes in chunks of the group batch size, reporting each chunk to the ledger. */
async function sendGroup(ctx: RecordRunContext, ledger: RecordLedger, direction: Direction, group: GroupRef, members: readonly RecordView[]): Promise<void> {
  const verbs = ctx.destination.verbs.groups;
  if (!verbs) return;
  const verb = direction === 'add' ? verbs.add.bind(verbs) : verbs.remove.bind(verbs);
  const op = `${direction}:${group.name}` as const;
  await Promise.all(
    chunk(members, ctx.limits.groupBatchSize).map(async (batch) => {
      const targets: TargetItem[] = batch.map((r) => ({ ref: r.ref, recordId: r.recordId, destinationId: r.destinationId as string }));
      let results;
      const counted = countingSends((items) => verb(ctx.verbs, group, items));
      try {
        results = await sendBatch(ctx.caller, direction === 'add' ? 'add_to_group' : 'remove_from_group', targets, counted.send);
      } catch (thrown) {
        if (isRunStopping(toSyncError(thrown))) return;
        throw thrown;
      }
      const origins = direction === 'add' ? await addOrigins(ctx, group, batch, results, (j) => counted.firstSend(targets[j] as TargetItem)) : undefined;
      const events: RecordEvent[] = [];
      batch.forEach((r, j) => {
        const result = results[j];
        const origin = origins?.[j] ?? 'none';
        if (result?.ok) events.push(origin === 'found' || origin === 'others' ? { type: 'acknowledged', ref: r.ref, op, existing: true, ...(origin === 'others' ? { madeByOther: true } : {}) } : { type: 'acknowledged', ref: r.ref, op });
        // An add refused at every send was not made: not held as this sync's own, so a membership a person makes before the next
        // run is found there, not taken for this sync's add landing late (fresh trial 153, F1). Unknown outcomes stay held.
        else if (result && result.error.code !== 'not_sent') {
          const refused = direction === 'add' && counted.refusedEverySend(targets[j] as TargetItem);
          events.push({ type: 'group_failed', ref: r.ref, error: result.error, ...(refused ? { unsent: [group.name] } : {}) });
        }
      });
      await ledger.acknowledge(events);
    }),
  );
}

/**
 * The records whose removal from group `id` would also take them out of a group they stay in:
 * another of their groups names the same destination group (Intercom compares tag names
 * case-insensitively, so groups `VIP` and `vip` are one tag). Leaving `vip` untagged the
 * contact while it stayed in `VIP`, and no later run put the tag back (fresh helper 68, F3).
 */
function stillHeld(records: readonly RecordView[], id: string, ids: ReadonlyMap<string, string>): Set<number> {
  const held = new Set<number>();
  for (const r of records) if ((r.next?.groups ?? []).some((g) => ids.get(g) === id)) held.add(r.ref);
  return held;
}

/**
 * Sends every group's changes in one direction: removals never create a group (a missing one has no members to remove); additions find or create it.
 * A group that cannot be found or created fails only the records naming it (see `resolveGroupsOf`); on a removal, so does
 * a group a record stays in, and that record's removals are not sent. The others go on. A removal of a membership another
 * sync sharing this state has from its source (see `membershipsElsewhere`) is not sent either: this sync only forgets it
 * (reviewer's F2: two syncs with one state file, sync "a" took the Contact out of campaign VIP while sync "b"'s row still
 * wanted it there, and "b", seeing its row unchanged, never added it back).
 */
async function changeMembership(ctx: RecordRunContext, ledger: RecordLedger, direction: Direction, records: readonly RecordView[]): Promise<void> {
  let involved = records.filter((r) => namesOf(r, direction).length > 0);
  if (involved.length === 0) return;
  // A removal also resolves the groups its records stay in (found, never created): one of them may be the same destination group.
  const staysIn = (r: RecordView) => (direction === 'remove' ? (r.next?.groups ?? []) : []);
  const resolved = await resolveGroupsOf(ctx, ledger, involved, (r) => namesOf(r, direction), direction === 'add', staysIn);
  if (!resolved) return;
  const { ids, failed, unresolved } = resolved;
  // An addition fails only for its bad group (which has no id: nothing is sent for it; the record's other groups are added);
  // a removal is sent only when every group the record leaves or stays in resolved.
  if (direction === 'remove') involved = involved.filter((r) => !failed.has(r.ref));
  const names = [...new Set(involved.flatMap((r) => namesOf(r, direction)))].filter((name) => !unresolved.has(name));
  // A removal is never sent for a membership another sync sharing this state has from its source (read once, only for removals).
  const elsewhere = direction === 'remove' ? await membershipsElsewhere(ctx, involved.filter((r) => namesOf(r, direction).some((n) => ids.has(n)))) : undefined;
  const calls: Promise<void>[] = [];
  for (const name of names) {
    let members = involved.filter((r) => namesOf(r, direction).includes(name));
    const id = ids.get(name);
    const held = direction === 'remove' && id !== undefined ? stillHeld(members, id, ids) : new Set<number>();
    if (id === undefined || held.size > 0) {
      const kept = id === undefined ? members : members.filter((r) => held.has(r.ref));
      if (direction === 'remove') await ledger.acknowledge(kept.map((r) => ({ type: 'acknowledged', ref: r.ref, op: `remove:${name}` })));
      members = id === undefined ? [] : members.filter((r) => !held.has(r.ref));
      if (members.length === 0 || id === undefined) continue;
    }
    if (elsewhere && elsewhere.size > 0) {
      const keptFor = new Map(members.map((r) => [r.ref, holdersOf(ctx, elsewhere, r, name, id)] as const).filter(([, syncs]) => syncs.length > 0));
      if (keptFor.size > 0) {
        await ledger.acknowledge([...keptFor].map(([ref, syncs]) => ({ type: 'acknowledged', ref, op: `remove:${name}`, keptFor: syncs })));
        members = members.filter((r) => !keptFor.has(r.ref));
        if (members.length === 0) continue;
      }
    }
    calls.push(sendGroup(ctx, ledger, direction, { name, id }, members));
  }
  await Promise.all(calls);
}

/**
 * A create that did not meet the record this sync wrote before (a new record, or someone
 * else's it was answered with): the groups its state held are on a record this run did not
 * write, so their removals are done without a call (see `leftBeforeRestore` in `classify.ts`).
 */
const madeAnew = (r: RecordView): boolean => r.plan?.action === 'create' && !(r.existing && r.entry?.destinationId === r.destinationId);

/**
 * Applies planned group membership changes for records whose record write succeeded (or
 * that only change groups): removals first, then additions, per group in chunks of the
 * destination's group batch size. A failed membership change fails the record (its write
 * stands, state says so).
 */
export async function sendGroups(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  if (!ctx.destination.verbs.groups) return;
  const eligible = ledger
    .open()
    .filter((r) => r.plan !== undefined && r.destinationId !== undefined && (r.acked.has('write') || !r.plan.write) && r.plan.addGroups.length + r.plan.removeGroups.length > 0);
  await ledger.acknowledge(eligible.filter(madeAnew).flatMap((r) => (r.plan?.removeGroups ?? []).map((g): RecordEvent => ({ type: 'acknowledged', ref: r.ref, op: `remove:${g}` }))));
  await changeMembership(ctx, ledger, 'remove', eligible.filter((r) => !madeAnew(r)));
  await changeMembership(ctx, ledger, 'add', eligible);
}
