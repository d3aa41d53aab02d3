import type { FoundRecord, LookupRequest } from '../destination/verbs';
import { isRunStopping } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import { chunk } from './chunk';
import type { RunContext } from './run-context';
import type { WorkItem } from './work-item';

async function findAll(
  ctx: RunContext,
  requests: LookupRequest[],
  byRef: Map<number, WorkItem>,
  onFound: (item: WorkItem, match: FoundRecord) => void = (item, match) => (item.found = match),
): Promise<void> {
  const chunks = chunk(requests, ctx.limits.lookupBatchSize);
  await Promise.all(
    chunks.map(async (batch) => {
      try {
        const found = await ctx.caller.call('find', () => ctx.destination.verbs.find(ctx.verbs, batch));
        for (const request of batch) {
          const match = found.get(request.ref);
          const item = byRef.get(request.ref);
          if (match && item) onFound(item, match);
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
 * the current key for the rest. Sets `item.found`; a failed lookup fails its records. A
 * record found by its old key whose new key belongs to another record fails alone
 * (`match_key_taken`) instead of creating a duplicate key.
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
  if (byPrevious.length > 0) {
    await findAll(ctx, byPrevious, byRef);
    // A record found by its old key whose new key already belongs to another record: updating
    // it in place would leave two records with the same key. The user must resolve it.
    const moving = byPrevious.filter((r) => byRef.get(r.ref)?.found !== undefined && byRef.get(r.ref)?.next);
    const newKeys = moving.map((r) => {
      const item = byRef.get(r.ref) as WorkItem;
      return { ref: r.ref, snapshot: item.next as NonNullable<WorkItem['next']>, matchKey: item.matchKey as string };
    });
    if (newKeys.length > 0) {
      await findAll(ctx, newKeys, byRef, (item, match) => {
        if (match.archived || match.presumed || !item.found || match.id === item.found.id) return;
        item.result = {
          id: item.recordId,
          row: item.row,
          outcome: 'failed',
          code: 'match_key_taken',
          message: `Its new ${ctx.classify.matchKeyLabel} already belongs to another ${ctx.destination.displayName} record (${match.id}); merge the two records, or fix the source. Not sent.`,
          retryable: false,
          destinationId: item.found.id,
          action: 'fail',
        };
      });
    }
  }

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
