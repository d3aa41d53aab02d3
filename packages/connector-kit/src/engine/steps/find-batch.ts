import type { FoundRecord, LookupRequest } from '../../destination/verbs';
import { isRunStopping, type SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import type { RecordRunContext } from '../run/run-context';

/** What one lookup batch came to: the records found, by request `ref`, and the requests whose lookup failed, with the error. */
export interface FindOutcome {
  readonly found: ReadonlyMap<number, readonly FoundRecord[]>;
  readonly failed: ReadonlyMap<number, SyncError>;
}

/** One call's answer: found, failed with an error, or the run is stopping. */
type Attempt = { readonly found: ReadonlyMap<number, readonly FoundRecord[]> } | { readonly error: SyncError } | undefined;

/**
 * Up to this many records (records), a refused batch is split down to the bad record even where
 * both halves fail (several bad records); a larger batch whose halves both fail is failed whole:
 * a refusal of every key (a systemic one) would otherwise cost a call per record.
 */
const SPLIT_ALWAYS = 16;

/**
 * Looks one batch up through the run's `Caller` (paced, retried, counted). A batch refused as a
 * whole (an error that is not retryable: a 400 answering one bad key) is split in halves,
 * recursively, so only the bad record's lookup fails, as a write batch is (`sendBatch`): one
 * OneSignal user whose view answered 400 failed the nine looked up beside it, on every run
 * (fresh trial 140, F1). Returns undefined when the run is stopping (nothing is failed then:
 * the records stay unsent).
 */
export async function findSplitting(ctx: RecordRunContext, batch: readonly LookupRequest[]): Promise<FindOutcome | undefined> {
  const first = await attempt(ctx, batch);
  if (first === undefined) return undefined;
  return 'found' in first ? { found: first.found, failed: new Map() } : splitAfter(ctx, batch, first.error);
}

async function attempt(ctx: RecordRunContext, batch: readonly LookupRequest[]): Promise<Attempt> {
  try {
    return { found: await ctx.caller.call('find', () => ctx.destination.verbs.find(ctx.verbs, batch)) };
  } catch (thrown) {
    const error = toSyncError(thrown);
    return isRunStopping(error) ? undefined : { error };
  }
}

/** The batch failed with `error`: each half looked up on its own, and a failed half split again (see {@link SPLIT_ALWAYS}). */
async function splitAfter(ctx: RecordRunContext, batch: readonly LookupRequest[], error: SyncError): Promise<FindOutcome | undefined> {
  const failedAll = (requests: readonly LookupRequest[], e: SyncError): FindOutcome => ({ found: new Map(), failed: new Map(requests.map((r) => [r.ref, e])) });
  if (error.retryable || batch.length === 1) return failedAll(batch, error);
  const mid = Math.ceil(batch.length / 2);
  const halves = [batch.slice(0, mid), batch.slice(mid)] as const;
  const tries = await Promise.all(halves.map((half) => attempt(ctx, half)));
  if (tries.some((t) => t === undefined)) return undefined;
  const [a, b] = tries as [NonNullable<Attempt>, NonNullable<Attempt>];
  if ('error' in a && 'error' in b && batch.length > SPLIT_ALWAYS) return { found: new Map(), failed: new Map([...failedAll(halves[0], a.error).failed, ...failedAll(halves[1], b.error).failed]) };
  const outcomes = await Promise.all(halves.map((half, i) => {
    const t = tries[i] as NonNullable<Attempt>;
    return 'found' in t ? { found: t.found, failed: new Map() } : splitAfter(ctx, half, t.error);
  }));
  if (outcomes.some((o) => o === undefined)) return undefined;
  const [x, y] = outcomes as [FindOutcome, FindOutcome];
  return { found: new Map([...x.found, ...y.found]), failed: new Map([...x.failed, ...y.failed]) };
}
