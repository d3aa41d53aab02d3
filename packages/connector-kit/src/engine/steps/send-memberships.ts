import type { MemberItem } from '../../destination/define-audience-destination';
import type { GroupRef, ItemResult } from '../../destination/verbs';
import { DeferredError } from '../../errors/deferred-error';
import { GroupGoneError } from '../../errors/group-gone-error';
import { isRunStopping, type SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { Properties, RecordSnapshot } from '../../records/types';
import { chunk } from '../calls/chunk';
import { sendBatch } from '../calls/send-batch';
import { resolveGroupsOf } from '../groups/resolve-groups';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { AudienceRunContext } from '../run/run-context';

type Direction = 'add' | 'remove';

const namesOf = (r: RecordView, direction: Direction) => (direction === 'add' ? r.plan?.addGroups : r.plan?.removeGroups) ?? [];

/** One audience's changes in one direction, in chunks of the add or removal batch size. */
async function sendAudience(ctx: AudienceRunContext, ledger: RecordLedger, direction: Direction, audience: GroupRef, members: readonly RecordView[]): Promise<void> {
  const verbs = ctx.destination.verbs;
  const send =
    direction === 'add'
      ? (batch: readonly MemberItem[]) => verbs.addMembers(ctx.verbs, audience, batch)
      : (batch: readonly MemberItem[]) => verbs.removeMembers(ctx.verbs, audience, batch);
  const op = `${direction}:${audience.name}` as const;
  const size = direction === 'add' ? ctx.limits.addBatchSize : ctx.limits.removeBatchSize;
  await Promise.all(
    chunk(members, size).map(async (batch) => {
      const payload: MemberItem[] = batch.map((r) => ({
        ref: r.ref,
        recordId: r.recordId,
        identity: (direction === 'add' ? r.next?.properties : r.plan?.removeIdentity) ?? ({} as Properties),
      }));
      let results: ItemResult[];
      try {
        results = await sendBatch(ctx.caller, direction === 'add' ? 'add_to_group' : 'remove_from_group', payload, send);
      } catch (thrown) {
        if (isRunStopping(toSyncError(thrown))) return;
        throw thrown;
      }
      const events: RecordEvent[] = [];
      batch.forEach((r, j) => {
        const result = results[j];
        if (result?.ok) events.push({ type: 'acknowledged', ref: r.ref, op });
        else if (result && result.error.code !== 'not_sent') events.push(refusalEvent(ctx, r.ref, op, audience.name, result.error));
      });
      await ledger.acknowledge(events);
    }),
  );
}

/**
 * What a refused change means for its record: a deferral stays pending; a removal from an
 * audience that no longer exists has nothing left to do (done, saying why); an addition to it
 * stays pending for the next run, whose group check recreates and refills an audience found
 * by name — or fails (with the error's `pinnedCode`) when the audience's id is pinned (never
 * recreated under another id); anything else fails the change. An audience found by name and
 * confirmed deleted is noted (`GroupIdCache.markDeleted`): the run's end forgets its
 * memberships (`forgetDeletedGroups`).
 */
function refusalEvent(ctx: AudienceRunContext, ref: number, op: `${Direction}:${string}`, name: string, error: SyncError): RecordEvent {
  if (error instanceof DeferredError) return { type: 'deferred', ref, error };
  if (!(error instanceof GroupGoneError)) return { type: 'group_failed', ref, error };
  ctx.groupIds.markDeleted(name);
  if (op.startsWith('remove:')) return { type: 'group_gone', ref, op, error };
  const vendor = error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode };
  if (!ctx.groupIds.pinned(name)) return { type: 'deferred', ref, error: new DeferredError(error.code, `${error.message} The next run creates it again and adds everyone in it.`, vendor) };
  const why = `${error.message} Its id is pinned (groupIds), so it is not created again under another id: pin an existing audience's id, or remove the pin to find or create it by name.`;
  const pinned = new GroupGoneError(error.pinnedCode, why, vendor);
  return { type: 'group_failed', ref, error: pinned };
}

/**
 * Sends an audience window's membership changes: removals first (in chunks of the removal
 * batch size), then additions (in chunks of the add batch size), per audience. Removal never
 * creates an audience (a missing one has nobody to remove); addition finds or creates it.
 * Each chunk succeeds or is retried on its own; a deferred refusal leaves only its members
 * pending. An audience that cannot be found or created fails only the records naming it
 * (see `resolveGroupsOf`).
 */
export async function sendMemberships(ctx: AudienceRunContext, ledger: RecordLedger): Promise<void> {
  for (const direction of ['remove', 'add'] as Direction[]) {
    let involved = ledger.open().filter((r) => r.plan !== undefined && namesOf(r, direction).length > 0);
    // A removal also resolves the audiences its records stay in (found, never created): one may be the same audience.
    const staysIn = (r: RecordView) => (direction === 'remove' ? (r.next?.groups ?? []) : []);
    const resolved = await resolveGroupsOf(ctx, ledger, involved, (r) => namesOf(r, direction), direction === 'add', staysIn);
    if (!resolved) continue;
    const { ids, failed, unresolved } = resolved;
    // An audience that could not be found or created fails only the records naming it (it has no id: nothing is sent to it);
    // a removal is sent only when every audience the record leaves or stays in resolved.
    if (direction === 'remove') involved = involved.filter((r) => !failed.has(r.ref));
    const names = [...new Set(involved.flatMap((r) => namesOf(r, direction)))].filter((name) => !unresolved.has(name));
    const calls: Promise<void>[] = [];
    for (const name of names) {
      const id = ids.get(name);
      const all = involved.filter((r) => namesOf(r, direction).includes(name));
      const held = direction === 'remove' && id !== undefined ? all.filter((r) => stillIn(ctx, r, name, id, ids)) : [];
      const members = all.filter((r) => !held.includes(r));
      const done = id === undefined ? members : held;
      if (done.length > 0) ledger.report(done.map((r) => ({ type: 'acknowledged', ref: r.ref, op: `${direction}:${name}` as const })));
      if (id !== undefined && members.length > 0) calls.push(sendAudience(ctx, ledger, direction, { name, id }, members));
    }
    await Promise.all(calls);
  }
}

/**
 * True when removing a record's identifiers from audience `id` (it left group `name`) would
 * take out the person it stays in that audience as: another of its groups names the same
 * audience (two names pinned to one id, or a group given by id), and the identifiers removed
 * are the ones it stays with. The person was removed from an audience they were still in, and
 * no later run added them back (fresh helper 69, finding 3). Identifiers that changed are
 * removed as before (the new ones are added after): kept because they shared the email, an
 * old phone stayed in the audience for good (fresh helper 70, finding 1).
 */
function stillIn(ctx: AudienceRunContext, r: RecordView, name: string, id: string, ids: ReadonlyMap<string, string>): boolean {
  const next = r.next;
  if (!next || !next.groups.some((g) => g !== name && ids.get(g) === id)) return false;
  const removed: RecordSnapshot = { properties: r.plan?.removeIdentity ?? {}, groups: [] };
  const keysOf = (snapshot: RecordSnapshot) => new Set(ctx.destination.identityKeys?.(snapshot, ctx.config) ?? [ctx.destination.matchKey(snapshot, ctx.config)].filter((k): k is string => k !== undefined));
  const staying = keysOf(next);
  const leaving = keysOf(removed);
  return leaving.size === staying.size && [...leaving].every((k) => staying.has(k));
}
