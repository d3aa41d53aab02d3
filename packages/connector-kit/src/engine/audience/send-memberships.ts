import type { GroupRef, ItemResult } from '../../destination/verbs';
import type { MemberItem } from '../../destination/define-audience-destination';
import { DeferredError } from '../../errors/deferred-error';
import { isRunStopping, type SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { Properties } from '../../records/types';
import { chunk } from '../chunk';
import type { AudienceRunContext } from '../run-context';
import { sendBatch } from '../send-batch';
import type { WorkItem } from '../work-item';
import type { MembershipPlan } from './plan-membership';

/** Per-record outcome of the membership calls. */
export interface MembershipProgress {
  /** Audiences the record's memberships changed in, successfully. */
  readonly done: Set<string>;
  /** First error that fails the record. */
  error: SyncError | undefined;
  /** First refusal that leaves the record pending for a later run. */
  deferred: SyncError | undefined;
}

type Direction = 'add' | 'remove';

async function resolve(ctx: AudienceRunContext, names: string[], create: boolean, failAll: (e: SyncError) => void): Promise<Map<string, string> | undefined> {
  if (names.length === 0) return new Map();
  try {
    return await ctx.groupIds.resolve(names, (missing) => ctx.caller.call('ensure_groups', () => ctx.destination.verbs.ensureAudiences(ctx.verbs, missing, { create })));
  } catch (thrown) {
    const error = toSyncError(thrown);
    if (!isRunStopping(error)) failAll(error);
    return undefined;
  }
}

/**
 * Sends an audience window's membership changes: removals first (in chunks of the
 * removal batch size), then additions (in chunks of the add batch size), per audience.
 * Removal never creates an audience; addition finds or creates it. Each chunk succeeds or
 * is retried on its own; a deferred refusal leaves only its members pending.
 */
export async function sendMemberships(ctx: AudienceRunContext, items: readonly WorkItem[]): Promise<Map<number, MembershipProgress>> {
  const progress = new Map<number, MembershipProgress>();
  const open = items.filter((i) => !i.result && i.plan !== undefined);
  for (const item of open) progress.set(item.ref, { done: new Set(), error: undefined, deferred: undefined });
  const planOf = (i: WorkItem) => i.plan as MembershipPlan;

  for (const direction of ['remove', 'add'] as Direction[]) {
    const involved = open.filter((i) => (direction === 'add' ? planOf(i).addGroups : planOf(i).removeGroups).length > 0);
    const names = [...new Set(involved.flatMap((i) => (direction === 'add' ? planOf(i).addGroups : planOf(i).removeGroups)))];
    const ids = await resolve(ctx, names, direction === 'add', (e) => {
      for (const i of involved) (progress.get(i.ref) as MembershipProgress).error ??= e;
    });
    if (!ids) continue;
    const calls: Promise<void>[] = [];
    for (const name of names) {
      const members = involved.filter((i) => (direction === 'add' ? planOf(i).addGroups : planOf(i).removeGroups).includes(name));
      const id = ids.get(name);
      if (id === undefined) {
        // No such audience: nobody to remove from it.
        for (const i of members) (progress.get(i.ref) as MembershipProgress).done.add(`${direction}:${name}`);
        continue;
      }
      const audience: GroupRef = { name, id };
      const size = direction === 'add' ? ctx.limits.addBatchSize : ctx.limits.removeBatchSize;
      const verbs = ctx.destination.verbs;
      const send =
        direction === 'add'
          ? (batch: readonly MemberItem[]) => verbs.addMembers(ctx.verbs, audience, batch)
          : (batch: readonly MemberItem[]) => verbs.removeMembers(ctx.verbs, audience, batch);
      for (const batch of chunk(members, size)) {
        calls.push(
          (async () => {
            const payload: MemberItem[] = batch.map((i) => ({
              ref: i.ref,
              recordId: i.recordId,
              identity: (direction === 'add' ? i.next?.properties : planOf(i).removeIdentity) ?? ({} as Properties),
            }));
            let results: ItemResult[];
            try {
              results = await sendBatch(ctx.caller, direction === 'add' ? 'add_to_group' : 'remove_from_group', payload, send);
            } catch (thrown) {
              if (isRunStopping(toSyncError(thrown))) return;
              throw thrown;
            }
            batch.forEach((i, j) => {
              const p = progress.get(i.ref) as MembershipProgress;
              const r = results[j];
              if (r?.ok) p.done.add(`${direction}:${name}`);
              else if (r && r.error.code !== 'not_sent') {
                if (r.error instanceof DeferredError) p.deferred ??= r.error;
                else p.error ??= r.error;
              }
            });
          })(),
        );
      }
    }
    await Promise.all(calls);
  }
  return progress;
}
