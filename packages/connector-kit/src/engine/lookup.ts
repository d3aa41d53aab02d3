import type { LookupRequest } from '../destination/verbs';
import { isRunStopping } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import { chunk } from './chunk';
import type { RunContext } from './run-context';
import type { WorkItem } from './work-item';

async function findAll(ctx: RunContext, requests: LookupRequest[], byRef: Map<number, WorkItem>): Promise<void> {
  const chunks = chunk(requests, ctx.limits.lookupBatchSize);
  await Promise.all(
    chunks.map(async (batch) => {
      try {
        const found = await ctx.caller.call('find', () => ctx.destination.verbs.find(ctx.verbs, batch));
        for (const request of batch) {
          const match = found.get(request.ref);
          const item = byRef.get(request.ref);
          if (match && item) item.found = match;
        }
      } catch (thrown) {
        const error = toSyncError(thrown);
        if (isRunStopping(error)) return; // the caller stopped the run; items stay unsent
        for (const request of batch) {
          const item = byRef.get(request.ref);
          if (item && !item.result) {
            item.result = {
              id: item.recordId,
              row: item.row,
              outcome: 'failed',
              code: error.code,
              message: `Lookup failed: ${error.message}`,
              retryable: error.retryable,
            };
          }
        }
      }
    }),
  );
}

/**
 * Looks every item up by match key, in batches of the destination's lookup size: first by
 * the previous key for records whose key changed (so they are updated in place), then by
 * the current key for the rest. Sets `item.found`; a failed lookup fails its records.
 */
export async function lookupItems(ctx: RunContext, items: readonly WorkItem[]): Promise<void> {
  const byRef = new Map(items.map((i) => [i.ref, i]));
  const open = items.filter((i) => !i.result);

  const byPrevious: LookupRequest[] = [];
  for (const item of open) {
    if (item.previousMatchKey !== undefined && item.entry) {
      byPrevious.push({
        ref: item.ref,
        snapshot: item.entry.snapshot,
        matchKey: item.previousMatchKey,
        knownId: item.entry.destinationId ?? undefined,
      });
    }
  }
  if (byPrevious.length > 0) await findAll(ctx, byPrevious, byRef);

  const byCurrent: LookupRequest[] = [];
  for (const item of open) {
    if (item.found || item.result || item.matchKey === undefined) continue;
    const snapshot = item.next ?? item.entry?.snapshot;
    if (!snapshot) continue;
    byCurrent.push({
      ref: item.ref,
      snapshot,
      matchKey: item.matchKey,
      knownId: item.entry?.destinationId ?? undefined,
    });
  }
  if (byCurrent.length > 0) await findAll(ctx, byCurrent, byRef);
}
