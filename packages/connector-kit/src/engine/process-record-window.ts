import { toSyncError } from '../errors/to-sync-error';
import { claimFound } from './claim-found';
import { finalize } from './finalize';
import { lookupItems } from './lookup';
import { markPending } from './persist';
import { planItem } from './plan-item';
import type { RunContext } from './run-context';
import { sendGroups } from './send-groups';
import { sendWrites } from './send-writes';
import { transferClaimed } from './transfer-claimed';
import type { WorkItem } from './work-item';

/** Sets each item's match keys (current, and previous when it changed). */
function keyItems(ctx: RunContext, items: readonly WorkItem[]): void {
  for (const item of items) {
    if (item.result) continue;
    const snapshot = item.next ?? item.entry?.snapshot;
    item.matchKey = snapshot ? ctx.destination.matchKey(snapshot, ctx.config) : undefined;
    if (item.next && item.entry) {
      const previousKey = ctx.destination.matchKey(item.entry.snapshot, ctx.config);
      if (previousKey !== undefined && previousKey !== item.matchKey) item.previousMatchKey = previousKey;
    }
    if (item.next === null && item.matchKey === undefined) {
      item.result = { id: item.recordId, outcome: 'skipped', code: 'not_found', message: 'Left the source; no match key to find it by.' };
    }
  }
}

/** Sends the window's planned writes and group changes (write-ahead marks first). */
async function send(ctx: RunContext, items: readonly WorkItem[]): Promise<void> {
  const writing = items.filter((i) => !i.result && i.plan !== undefined && (['create', 'update', 'delete', 'groups'].includes(i.plan.action) || i.plan.restore));
  if (!(await markPending(ctx, writing, (i) => i.plan?.addGroups ?? []))) return;
  try {
    await sendWrites(ctx, items);
    if (!ctx.caller.stopped) await sendGroups(ctx, items);
  } catch (thrown) {
    const error = toSyncError(thrown);
    ctx.logger.error('unexpected error while sending', { code: error.code });
    for (const item of items) {
      if (!item.result && !item.written) {
        item.result = { id: item.recordId, row: item.row, outcome: 'failed', code: error.code, message: error.message, retryable: error.retryable };
      }
    }
  }
}

/** Looks up, claims, classifies, validates, sends and finalizes one window of records. */
export async function processRecordWindow(ctx: RunContext, items: WorkItem[]): Promise<void> {
  keyItems(ctx, items);
  if (!ctx.caller.stopped) {
    await lookupItems(ctx, items);
    await claimFound(ctx, items);
  }
  for (const item of items) {
    if (item.result || ctx.caller.stopped) continue;
    if (item.found) {
      if (item.entry?.destinationId && item.entry.destinationId !== item.found.id) item.owned = false;
      item.destinationId = item.found.id;
    }
    planItem(ctx, item);
  }
  if (!ctx.dryRun && !ctx.caller.stopped) await send(ctx, items);
  await transferClaimed(ctx, items);
  await finalize(ctx, items);
}
