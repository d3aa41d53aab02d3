import { snapshotHash } from '../records/snapshot-hash';
import type { StateEntry } from '../state/state-store';
import type { BaseRunContext } from './run-context';
import type { WorkItem } from './work-item';

/**
 * Records re-keys in state: a record that left the source while a current record holds its
 * destination record (`claimedBy`, planned `rekeyed`) is forgotten, and the holder inherits
 * it — ownership (so `sync` mode deletes it when the holder leaves) and the managed groups
 * it was in (so the holder's next run removes the ones the holder is not in). When the
 * holder has no state yet (its own write failed), nothing changes: the next run decides
 * again. Nothing in a dry run.
 */
export async function transferClaimed(ctx: BaseRunContext, items: readonly WorkItem[]): Promise<void> {
  const claimed = items.filter((i) => i.claimedBy !== undefined && i.plan?.code === 'rekeyed' && !i.result && i.entry);
  if (claimed.length === 0 || ctx.dryRun) return;
  const holders = await ctx.state.get(
    ctx.syncId,
    claimed.map((i) => i.claimedBy as string),
  );
  const updated = new Map<string, StateEntry>();
  const forgotten: string[] = [];
  for (const item of claimed) {
    const holder = updated.get(item.claimedBy as string) ?? holders.get(item.claimedBy as string);
    const old = item.entry as StateEntry;
    if (!holder) continue;
    const groups = [...new Set([...holder.snapshot.groups, ...old.snapshot.groups])].sort();
    const snapshot = { properties: holder.snapshot.properties, groups };
    const changed = groups.length !== holder.snapshot.groups.length;
    updated.set(holder.recordId, {
      ...holder,
      snapshot,
      hash: changed && !holder.pending ? snapshotHash(snapshot) : holder.hash,
      owned: holder.owned || old.owned,
    });
    forgotten.push(item.recordId);
  }
  if (await ctx.writer.put([...updated.values()])) await ctx.writer.remove(forgotten);
}
