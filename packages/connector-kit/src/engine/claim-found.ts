import type { StateEntry } from '../state/state-store';
import type { BaseRunContext } from './run-context';
import type { WorkItem } from './work-item';

/** Destination id → the ids of state entries naming it. */
async function stateHolders(ctx: BaseRunContext, destinationIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (destinationIds.length === 0) return out;
  const entries: StateEntry[] = await ctx.state.findByDestinationIds(ctx.syncId, destinationIds);
  for (const e of entries) if (e.destinationId !== null) out.set(e.destinationId, [...(out.get(e.destinationId) ?? []), e.recordId]);
  return out;
}

/**
 * The source record that holds `destinationId` besides `item`: one that claimed it earlier
 * in this run, or one still in the source whose state names it.
 */
function holderOf(ctx: BaseRunContext, item: WorkItem, destinationId: string, fromState: ReadonlyMap<string, string[]>): string | undefined {
  const claimed = ctx.claims.holder(destinationId);
  if (claimed !== undefined && claimed !== item.recordId) return claimed;
  return fromState.get(destinationId)?.find((id) => id !== item.recordId && ctx.source.inSource(id));
}

/**
 * After the lookup, gives every destination record to one source record:
 *
 * - a current record found a destination record another current record holds (claimed
 *   earlier in this run, or named by its state): it fails with
 *   `duplicate_destination_record`, naming the other record, and nothing is written —
 *   the first record wins;
 * - a record that left the source whose destination record a current record holds (the
 *   same person under a new id, or with the same match key) is marked `claimedBy` that
 *   record: it is never deleted or removed from groups as a departure (see `classify`).
 */
export async function claimFound(ctx: BaseRunContext, items: readonly WorkItem[]): Promise<void> {
  const found = items.filter((i) => !i.result && i.found !== undefined && !i.found.presumed);
  const fromState = await stateHolders(ctx, [...new Set(found.map((i) => (i.found as NonNullable<WorkItem['found']>).id))]);
  for (const item of items) {
    if (item.result) continue;
    const id = item.found && !item.found.presumed ? item.found.id : undefined;
    if (item.next === null) {
      const byKey = item.matchKey === undefined ? undefined : ctx.source.keyHolder(item.matchKey);
      item.claimedBy = (id === undefined ? undefined : holderOf(ctx, item, id, fromState)) ?? (byKey !== item.recordId ? byKey : undefined);
      continue;
    }
    if (id === undefined) continue;
    const holder = holderOf(ctx, item, id, fromState);
    if (holder === undefined) {
      ctx.claims.claim(id, item.recordId);
      continue;
    }
    item.result = {
      id: item.recordId,
      row: item.row,
      outcome: 'failed',
      code: 'duplicate_destination_record',
      message: `Resolves to the same destination record (${id}) as record "${holder}", which comes first; nothing was written. Give the two records different match keys, or merge them in the source.`,
      retryable: false,
      destinationId: id,
      action: 'fail',
    };
  }
}
