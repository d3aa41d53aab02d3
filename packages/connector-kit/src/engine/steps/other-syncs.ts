import { permits } from '../../modes/permits';
import type { RecordEvent } from '../ledger/events';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';

/**
 * Reports (`tracked_elsewhere`) each record that left the source and that this run may
 * delete, while another sync of the same destination tracks its destination record as in
 * its own source (`StateStore.trackedElsewhere`). The planner keeps such records: deleting
 * one would take it from a source that still has it, and that sync, seeing its row
 * unchanged, would never send it again (#17, trial 19a F5: two syncs in one state folder,
 * "a" created Ann's Contact, "b" matched it; "a" dropped her and deleted it, "b" reported
 * her `unchanged` on every later run).
 */
export async function findOtherSyncs(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const leaving = ledger
    .open()
    .filter((r) => r.next === null && r.found !== undefined && !r.found.archived && r.claimedBy === undefined && permits(ctx.mode, 'delete', { owned: r.owned, deletePolicy: ctx.deletePolicy }));
  if (leaving.length === 0) return;
  const tracked = await ctx.state.trackedElsewhere(ctx.syncId, [...new Set(leaving.map((r) => r.found?.id as string))]);
  if (tracked.size === 0) return;
  const events: RecordEvent[] = [];
  for (const r of leaving) {
    const syncs = tracked.get(r.found?.id as string);
    if (syncs) events.push({ type: 'tracked_elsewhere', ref: r.ref, syncs });
  }
  ledger.report(events);
}
