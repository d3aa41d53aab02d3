import type { GroupRef, TargetItem } from '../destination/verbs';
import { isRunStopping, type SyncError } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import { chunk } from './chunk';
import { persist } from './persist';
import type { RunContext } from './run-context';
import { sendBatch } from './send-batch';
import type { WorkItem } from './work-item';

function stepFailed(item: WorkItem, error: SyncError): void {
  item.stepError ??= error;
}

async function resolveGroups(ctx: RunContext, names: string[], create: boolean, items: WorkItem[]): Promise<Map<string, string> | undefined> {
  const groups = ctx.destination.verbs.groups;
  if (!groups || names.length === 0) return new Map();
  try {
    return await ctx.groupIds.resolve(names, (missing) => ctx.caller.call('ensure_groups', () => groups.ensure(ctx.verbs, missing, { create })));
  } catch (thrown) {
    const error = toSyncError(thrown);
    if (!isRunStopping(error)) for (const item of items) stepFailed(item, error);
    return undefined;
  }
}

async function changeMembership(
  ctx: RunContext,
  direction: 'add' | 'remove',
  groupIds: Map<string, string>,
  items: WorkItem[],
): Promise<void> {
  const groups = ctx.destination.verbs.groups;
  if (!groups) return;
  const byGroup = new Map<string, WorkItem[]>();
  for (const item of items) {
    const names = direction === 'add' ? item.plan?.addGroups : item.plan?.removeGroups;
    for (const name of names ?? []) {
      const list = byGroup.get(name) ?? [];
      list.push(item);
      byGroup.set(name, list);
    }
  }
  const kind = direction === 'add' ? 'add_to_group' : 'remove_from_group';
  const verb = direction === 'add' ? groups.add.bind(groups) : groups.remove.bind(groups);
  const calls: Promise<void>[] = [];
  for (const [name, members] of byGroup) {
    const id = groupIds.get(name);
    if (id === undefined) {
      // A group that does not exist has no members to remove.
      if (direction === 'remove') {
        for (const item of members) {
          item.appliedGroups.delete(name);
          item.groupOps.add(`remove:${name}`);
        }
        await persist(ctx, members);
      }
      continue;
    }
    const group: GroupRef = { name, id };
    for (const batch of chunk(members, ctx.limits.groupBatchSize)) {
      calls.push(
        (async () => {
          const targets: TargetItem[] = batch.map((i) => ({ ref: i.ref, recordId: i.recordId, destinationId: i.destinationId as string }));
          let results;
          try {
            results = await sendBatch(ctx.caller, kind, targets, (t) => verb(ctx.verbs, group, t));
          } catch (thrown) {
            if (isRunStopping(toSyncError(thrown))) return;
            throw thrown;
          }
          const acknowledged: WorkItem[] = [];
          batch.forEach((item, j) => {
            const r = results[j];
            if (r?.ok) {
              if (direction === 'add') item.appliedGroups.add(name);
              else item.appliedGroups.delete(name);
              item.groupOps.add(`${direction}:${name}`);
              acknowledged.push(item);
            } else if (r && r.error.code !== 'not_sent') {
              stepFailed(item, r.error);
            }
          });
          await persist(ctx, acknowledged);
        })(),
      );
    }
  }
  await Promise.all(calls);
}

/**
 * Applies planned group membership changes for records whose main write succeeded (or
 * that only change groups): removals first, then additions, per group in chunks of the
 * destination's group batch size. Removal never creates a group; addition finds or creates
 * it. A failed membership change fails the record (its write stands, state says so).
 */
export async function sendGroups(ctx: RunContext, items: readonly WorkItem[]): Promise<void> {
  if (!ctx.destination.verbs.groups) return;
  const eligible = items.filter(
    (i) =>
      !i.result &&
      i.plan !== undefined &&
      i.destinationId !== undefined &&
      (i.written || i.plan.action === 'groups') &&
      i.plan.addGroups.length + i.plan.removeGroups.length > 0,
  );
  if (eligible.length === 0) return;

  const removing = eligible.filter((i) => (i.plan?.removeGroups.length ?? 0) > 0);
  const removeNames = [...new Set(removing.flatMap((i) => i.plan?.removeGroups ?? []))];
  const removeIds = await resolveGroups(ctx, removeNames, false, removing);
  if (removeIds) await changeMembership(ctx, 'remove', removeIds, removing);

  const adding = eligible.filter((i) => (i.plan?.addGroups.length ?? 0) > 0);
  const addNames = [...new Set(adding.flatMap((i) => i.plan?.addGroups ?? []))];
  const addIds = await resolveGroups(ctx, addNames, true, adding);
  if (addIds) await changeMembership(ctx, 'add', addIds, adding);
}
