import { toSyncError } from '../../errors/to-sync-error';
import { markPending } from '../persist';
import { transferClaimed } from '../transfer-claimed';
import type { AudienceRunContext } from '../run-context';
import type { WorkItem } from '../work-item';
import { finalizeAudience } from './finalize-audience';
import { planMembership } from './plan-membership';
import { sendMemberships, type MembershipProgress } from './send-memberships';

/** Plans, sends and finalizes one window of audience records. */
export async function processAudienceWindow(ctx: AudienceRunContext, items: WorkItem[]): Promise<void> {
  for (const item of items) {
    if (item.result || ctx.caller.stopped) continue;
    if (item.next === null && item.entry) {
      // Removing this identity would remove whoever in the source has the same match key.
      const key = ctx.destination.matchKey(item.entry.snapshot, ctx.config);
      const holder = key === undefined ? undefined : ctx.source.keyHolder(key);
      if (holder !== undefined && holder !== item.recordId) item.claimedBy = holder;
    }
    item.plan = planMembership(item, ctx.mode, ctx.destination.displayName);
  }
  let progress = new Map<number, MembershipProgress>();
  if (!ctx.dryRun && !ctx.caller.stopped) {
    const writing = items.filter((i) => !i.result && i.entry !== undefined && i.plan !== undefined && i.plan.addGroups.length + i.plan.removeGroups.length > 0);
    const marked = await markPending(ctx, writing, (i) => i.plan?.addGroups ?? []);
    try {
      if (marked) progress = await sendMemberships(ctx, items);
    } catch (thrown) {
      const error = toSyncError(thrown);
      ctx.logger.error('unexpected error while sending', { code: error.code });
      for (const item of items) {
        if (!item.result) item.result = { id: item.recordId, row: item.row, outcome: 'failed', code: error.code, message: error.message, retryable: error.retryable };
      }
    }
  }
  await transferClaimed(ctx, items);
  await finalizeAudience(ctx, items, progress);
}
