import type { GroupRef, TargetItem } from '../../destination/verbs';
import { isRunStopping } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import { isNothingSent } from '../../errors/nothing-sent';
import { chunk } from '../calls/chunk';
import { sendBatch } from '../calls/send-batch';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { resolveGroupsOf } from '../groups/resolve-groups';
import { foundOf } from '../ledger/found-groups';
import { holdersOf, membershipsElsewhere, ownedElsewhere } from './memberships-elsewhere';

type Direction = 'add' | 'remove';

const namesOf = (record: RecordView, direction: Direction) => (direction === 'add' ? record.plan?.addGroups : record.plan?.removeGroups) ?? [];

/**
 * True when the record held destination group `id` under another name this sync added, which
 * it now leaves (a case variant: Salesforce and Intercom compare names case-insensitively,
 * so `VIP` and `vip` are one campaign or tag): the "already a member" answer to the add is
 * that membership, the sync's own — not one a person made (fresh reviewer 92, F2: it became
 * found, and was never removed).
 */
function heldUnderAnotherName(ctx: RecordRunContext, record: RecordView, id: string): boolean {
  const found = foundOf(record.entry);
  return (record.plan?.removeGroups ?? []).some((g) => !found.has(g) && ctx.groupIds.idOf(g) === id);
}

/**
 * The destination records (of `records`) whose membership in destination group `id` another
 * state entry of this sync holds as its own (not found): a row that left the source, or
 * changed its id, while the record stayed (verify, seed 998622555: `r1` added the Contact to
 * `alpha`, then left as `r3` came with the same Email and `alpha`; the add's "already a
 * member" answer was `r1`'s membership, taken for a person's and never removed). One state
 * read, only when some add was answered so.
 */
async function heldByAnotherEntry(ctx: RecordRunContext, records: readonly RecordView[], group: GroupRef): Promise<Set<string>> {
  const held = new Set<string>();
  if (records.length === 0) return held;
  const entries = await ctx.state.findByDestinationIds(ctx.syncId, [...new Set(records.map((r) => r.destinationId as string))]);
  const own = new Map(records.map((r) => [r.destinationId as string, r.recordId]));
  for (const e of entries) {
    if (e.destinationId === null || own.get(e.destinationId) === e.recordId) continue;
    const found = foundOf(e);
    // The same group: its name but for case (Salesforce and Intercom compare names so: VIP is vip), or one this run resolved to its id.
    if (e.snapshot.groups.some((g) => !found.has(g) && (g.toLowerCase() === group.name.toLowerCase() || ctx.groupIds.idOf(g) === group.id))) held.add(e.destinationId);
  }
  return held;
}

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
      // How often each item was sent: an "already a member" answer to a resend (the first answer lost, a 5xx, a timeout)
      // may be this run's own add landing twice, so only a first send's answer says the membership was someone else's.
      const sends = new Map<TargetItem, number>();
      // A call that failed before it reached the destination's write (`sentNothing`) sent nothing.
      const unsend = (items: readonly TargetItem[]) => {
        for (const t of items) sends.set(t, (sends.get(t) ?? 1) - 1);
      };
      const send = async (items: readonly TargetItem[]) => {
        for (const t of items) sends.set(t, (sends.get(t) ?? 0) + 1);
        try {
          const answers = await verb(ctx.verbs, group, items);
          unsend(items.filter((_, i) => { const a = answers[i]; return a?.ok === false && isNothingSent(a.error); }));
          return answers;
        } catch (thrown) {
          if (isNothingSent(toSyncError(thrown))) unsend(items);
          throw thrown;
        }
      };
      try {
        results = await sendBatch(ctx.caller, direction === 'add' ? 'add_to_group' : 'remove_from_group', targets, send);
      } catch (thrown) {
        if (isRunStopping(toSyncError(thrown))) return;
        throw thrown;
      }
      const proven = (j: number) => {
        const result = results[j];
        return result?.ok === true && result.existing === true && result.madeByOther === true && direction === 'add';
      };
      const answeredExisting = (r: RecordView, j: number) => {
        const result = results[j];
        return result?.ok === true && result.existing === true && direction === 'add' && sends.get(targets[j] as TargetItem) === 1 && !heldUnderAnotherName(ctx, r, group.id);
      };
      // A state read that fails stops the run, as any other (fresh reviewer 93, F5: taken for "no other entry", the sync's
      // own membership became found and stayed for good); the write-ahead mark keeps the adds for the next run to decide.
      const answered = batch.filter(answeredExisting);
      const heldElsewhere = await heldByAnotherEntry(ctx, answered, group);
      for (const id of await ownedElsewhere(ctx, answered, group.name, group.id)) heldElsewhere.add(id);
      const events: RecordEvent[] = [];
      batch.forEach((r, j) => {
        const result = results[j];
        const existing = proven(j) || (answeredExisting(r, j) && !heldElsewhere.has(r.destinationId as string));
        if (result?.ok) events.push(existing ? { type: 'acknowledged', ref: r.ref, op, existing: true, ...(proven(j) ? { madeByOther: true } : {}) } : { type: 'acknowledged', ref: r.ref, op });
        else if (result && result.error.code !== 'not_sent') events.push({ type: 'group_failed', ref: r.ref, error: result.error });
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
  await changeMembership(ctx, ledger, 'remove', eligible);
  await changeMembership(ctx, ledger, 'add', eligible);
}
