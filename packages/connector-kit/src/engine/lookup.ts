import type { FoundRecord, LookupRequest } from '../destination/verbs';
import type { RecordResult } from '../records/outcome';
import { isRunStopping } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import { chunk } from './chunk';
import { decideMatch, listIds } from './match-decision';
import type { RunContext } from './run-context';
import type { WorkItem } from './work-item';

async function findAll(
  ctx: RunContext,
  requests: LookupRequest[],
  byRef: Map<number, WorkItem>,
  onFound: (item: WorkItem, match: FoundRecord) => void = (item, match) => (item.found = match),
  onAmbiguous: (item: WorkItem, ids: readonly string[]) => void = (item, ids) => (item.result = ambiguous(ctx, item, ids)),
): Promise<void> {
  const chunks = chunk(requests, ctx.limits.lookupBatchSize);
  await Promise.all(
    chunks.map(async (batch) => {
      try {
        const found = await ctx.caller.call('find', () => ctx.destination.verbs.find(ctx.verbs, batch));
        for (const request of batch) {
          const item = byRef.get(request.ref);
          if (!item || item.result) continue;
          const decision = decideMatch(found.get(request.ref), request.knownId);
          if (decision.kind === 'one') onFound(item, decision.record);
          else if (decision.kind === 'ambiguous') onAmbiguous(item, decision.ids);
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

/** The result of a record whose key matches several destination records. */
function ambiguous(ctx: RunContext, item: WorkItem, ids: readonly string[]): RecordResult {
  const name = ctx.destination.displayName;
  return {
    id: item.recordId,
    row: item.row,
    outcome: 'failed',
    code: 'ambiguous_match',
    message: `${ids.length} ${name} records have this ${ctx.classify.matchKeyLabel} (${listIds(ids)}); nothing was written to any of them. Merge the duplicates in ${name}, or give the record a key only one of them has.`,
    retryable: false,
    action: 'fail',
  };
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
      const taken = (item: WorkItem, otherId: string) => {
        item.result = {
          id: item.recordId,
          row: item.row,
          outcome: 'failed',
          code: 'match_key_taken',
          message: `Its new ${ctx.classify.matchKeyLabel} already belongs to another ${ctx.destination.displayName} record (${otherId}); merge the two records, or fix the source. Not sent.`,
          retryable: false,
          destinationId: item.found?.id,
          action: 'fail',
        };
      };
      await findAll(
        ctx,
        newKeys,
        byRef,
        (item, match) => {
          if (match.archived || match.presumed || !item.found || match.id === item.found.id) return;
          taken(item, match.id);
        },
        (item, ids) => taken(item, listIds(ids.filter((id) => id !== item.found?.id))),
      );
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
