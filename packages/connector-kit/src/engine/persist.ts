import { snapshotHash } from '../records/snapshot-hash';
import type { RecordSnapshot } from '../records/types';
import type { StateEntry } from '../state/state-store';
import type { BaseRunContext, RunContext } from './run-context';
import type { WorkItem } from './work-item';

/**
 * Whether every group change planned for the item was acknowledged in this run (counted
 * from acknowledgements, not inferred from the groups held, which a pending entry
 * overstates).
 */
export function groupChangesDone(item: WorkItem): boolean {
  const plan = item.plan;
  if (!plan) return true;
  return plan.addGroups.every((g) => item.groupOps.has(`add:${g}`)) && plan.removeGroups.every((g) => item.groupOps.has(`remove:${g}`));
}

/**
 * The state entry describing what the destination holds for `item` as far as the run knows.
 * While some of its planned group changes are still to be sent, the entry stays pending
 * (with the groups being added counted as held) and, for a record that left the source,
 * not yet departed, so a crash or a failed group change is healed by the next run.
 */
export function stateEntryFor(item: WorkItem): StateEntry {
  const plan = item.plan;
  const outstanding = item.settled !== true && !groupChangesDone(item);
  const groups = outstanding ? new Set([...item.appliedGroups, ...(plan?.addGroups ?? [])]) : item.appliedGroups;
  const snapshot: RecordSnapshot = { properties: item.appliedProperties, groups: [...groups].sort() };
  return {
    recordId: item.recordId,
    destinationId: item.destinationId ?? null,
    matchKey: item.matchKey ?? null,
    snapshot,
    hash: outstanding ? '' : snapshotHash(snapshot),
    owned: item.owned,
    // A record that left the source counts as departed once its group removals are done;
    // until then it stays a departing record, so the next run sends what is outstanding.
    departed: item.next === null && !outstanding,
    pending: outstanding,
  };
}

/** Writes the items' state (nothing in a dry run). Called after every acknowledged batch. */
export function persist(ctx: BaseRunContext, items: readonly WorkItem[]): void {
  if (ctx.dryRun || items.length === 0) return;
  ctx.state.put(ctx.syncId, items.map(stateEntryFor));
}

/** Forgets the items (deleted, or gone from the destination). Nothing in a dry run. */
export function forget(ctx: BaseRunContext, items: readonly WorkItem[]): void {
  if (ctx.dryRun || items.length === 0) return;
  ctx.state.remove(
    ctx.syncId,
    items.map((i) => i.recordId),
  );
}

/**
 * Remembers records that were looked up and not found (skipped as `not_found`), with the
 * hash of their source snapshot and an empty destination snapshot. Nothing in a dry run.
 */
export function rememberNotFound(ctx: RunContext, items: readonly WorkItem[]): void {
  if (ctx.dryRun || items.length === 0) return;
  const empty: RecordSnapshot = { properties: {}, groups: [] };
  ctx.state.put(
    ctx.syncId,
    items.map((item) => ({
      recordId: item.recordId,
      destinationId: null,
      matchKey: item.matchKey ?? null,
      snapshot: empty,
      hash: snapshotHash(item.next ?? empty),
      owned: false,
      departed: false,
      notFound: true,
    })),
  );
}

/**
 * Write-ahead marking: before a window's writes are sent, every record that already has a
 * destination record is marked pending in state (one transaction), with the groups about
 * to be added counted as held. If the process dies with writes in flight, the next run
 * sends those records' full properties and groups again instead of trusting a snapshot the
 * destination may no longer match. Acknowledged writes clear the mark. Nothing in a dry run.
 */
export function markPending(ctx: BaseRunContext, items: readonly WorkItem[], adding: (item: WorkItem) => readonly string[]): void {
  if (ctx.dryRun) return;
  const entries = items
    .filter((i) => i.entry !== undefined || i.destinationId !== undefined)
    .map((item) => {
      const groups = [...new Set([...item.appliedGroups, ...adding(item)])].sort();
      // Fields this run may set count as held, so a later empty value clears them.
      const setting = Object.fromEntries(Object.entries(item.plan?.properties ?? {}).filter(([, v]) => v !== null && v !== ''));
      return {
        recordId: item.recordId,
        destinationId: item.destinationId ?? null,
        matchKey: item.matchKey ?? item.entry?.matchKey ?? null,
        snapshot: { properties: { ...item.appliedProperties, ...setting }, groups },
        hash: '',
        owned: item.owned,
        departed: item.entry?.departed ?? false,
        pending: true,
      };
    });
  if (entries.length > 0) ctx.state.put(ctx.syncId, entries);
}
