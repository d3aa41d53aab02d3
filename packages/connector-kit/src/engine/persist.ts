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

/** Notes on each item that its acknowledged change could not be recorded (the run is stopping). */
function unrecorded(ctx: BaseRunContext, items: readonly WorkItem[]): void {
  for (const item of items) item.unrecorded ??= ctx.writer.failed;
}

/** Writes the items' state (nothing in a dry run). Called after every acknowledged batch. */
export async function persist(ctx: BaseRunContext, items: readonly WorkItem[]): Promise<void> {
  if (items.length === 0) return;
  if (!(await ctx.writer.put(items.map(stateEntryFor)))) unrecorded(ctx, items);
}

/** Forgets the items (deleted, or gone from the destination). Nothing in a dry run. */
export async function forget(ctx: BaseRunContext, items: readonly WorkItem[]): Promise<void> {
  if (items.length === 0) return;
  if (!(await ctx.writer.remove(items.map((i) => i.recordId)))) unrecorded(ctx, items);
}

/**
 * Remembers records that were looked up and not found (skipped as `not_found`), with the
 * hash of their source snapshot and an empty destination snapshot. Nothing in a dry run.
 */
export async function rememberNotFound(ctx: RunContext, items: readonly WorkItem[]): Promise<void> {
  if (items.length === 0) return;
  const empty: RecordSnapshot = { properties: {}, groups: [] };
  await ctx.writer.put(
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
 * Write-ahead marking: before a window's writes are sent, every record about to be written
 * is marked pending in state (one transaction), with the groups about to be added counted
 * as held. If the process dies with writes in flight — or state cannot record what was
 * acknowledged — the next run sends those records' full properties and groups again
 * instead of trusting a snapshot the destination may no longer match. A record about to be
 * created is marked as this sync's own (no destination id yet): the next run looks it up
 * and, if the create went through, keeps ownership of it. Acknowledged writes clear the
 * mark. Nothing in a dry run.
 *
 * @returns false when state could not be written: the run is stopping and nothing may be sent.
 */
export async function markPending(ctx: BaseRunContext, items: readonly WorkItem[], adding: (item: WorkItem) => readonly string[]): Promise<boolean> {
  const entries = items
    .filter((i) => i.entry !== undefined || i.destinationId !== undefined || i.plan?.action === 'create')
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
        owned: item.owned || (item.plan?.action === 'create' && item.destinationId === undefined),
        departed: item.entry?.departed ?? false,
        pending: true,
      };
    });
  return ctx.writer.put(entries);
}
