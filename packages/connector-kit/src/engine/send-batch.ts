import type { ItemResult } from '../destination/verbs';
import { isRunStopping, RateLimitError, retryNow, SyncError } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import type { Caller, CallKind } from './caller';

/** Options of {@link sendBatch}. */
export interface SendBatchOptions<I> {
  /**
   * For creates: after a failure whose effect is unknown (timeout, reset, 5xx), finds which
   * items exist after all (returns their destination ids, `undefined` for absent ones, or
   * the error that fails an item that can no longer be told apart, e.g. `ambiguous_match`)
   * so that a retry never creates a duplicate.
   */
  readonly reconcile?: (items: readonly I[]) => Promise<(string | SyncError | undefined)[]>;
}

function failAll(count: number, error: SyncError): ItemResult[] {
  return Array.from({ length: count }, () => ({ ok: false as const, error }));
}

/**
 * Sends one batch through `send` and returns exactly one {@link ItemResult} per item, in
 * order.
 *
 * - A whole-call failure that is not retryable (the batch was rejected as a whole) is
 *   split in halves, recursively, so only the bad record fails.
 * - Retryable per-item failures (e.g. a locked row) are resent, with backoff, up to the
 *   retry budget; items rate-limited on their own wait their `Retry-After`.
 * - With `reconcile`, ambiguous whole-call failures are checked before resending.
 *
 * @throws a run-stopping {@link SyncError} (auth, quota), after which nothing is sent.
 */
export async function sendBatch<I>(
  caller: Caller,
  kind: CallKind,
  items: readonly I[],
  send: (items: readonly I[]) => Promise<ItemResult[]>,
  options: SendBatchOptions<I> = {},
): Promise<ItemResult[]> {
  if (items.length === 0) return [];
  const results: (ItemResult | undefined)[] = new Array<ItemResult | undefined>(items.length).fill(undefined);
  let pending = items.map((_, i) => i);
  let attempt = 0;
  const started = Date.now();

  while (pending.length > 0) {
    const batch = pending.map((i) => items[i] as I);
    let batchResults: ItemResult[];
    try {
      batchResults = await caller.call(kind, () => send(batch), { retryAmbiguous: !options.reconcile });
      if (batchResults.length !== batch.length) {
        throw new SyncError(
          'connector_result_mismatch',
          `The destination's ${kind} verb returned ${batchResults.length} results for ${batch.length} records (a connector bug).`,
        );
      }
    } catch (thrown) {
      const error = toSyncError(thrown);
      if (isRunStopping(error) || caller.stopped) throw caller.stopped ?? error;
      if (!error.retryable) {
        if (batch.length > 1) {
          const mid = Math.ceil(batch.length / 2);
          const [left, right] = await Promise.all([
            sendBatch(caller, kind, batch.slice(0, mid), send, options),
            sendBatch(caller, kind, batch.slice(mid), send, options),
          ]);
          [...left, ...right].forEach((r, j) => (results[pending[j] as number] = r));
        } else {
          results[pending[0] as number] = { ok: false, error };
        }
        break;
      }
      if (!retryNow(error) || !options.reconcile || attempt >= caller.policy.retries) {
        failAll(pending.length, error).forEach((r, j) => (results[pending[j] as number] = r));
        break;
      }
      attempt++;
      caller.stats.retries++;
      await caller.backoff(attempt);
      let existing: (string | SyncError | undefined)[];
      try {
        existing = await options.reconcile(batch);
      } catch (reconcileError) {
        const e = toSyncError(reconcileError);
        if (isRunStopping(e)) throw e;
        failAll(pending.length, error).forEach((r, j) => (results[pending[j] as number] = r));
        break;
      }
      const stillPending: number[] = [];
      pending.forEach((i, j) => {
        const id = existing[j];
        if (typeof id === 'string') results[i] = { ok: true, id };
        else if (id instanceof SyncError) results[i] = { ok: false, error: id };
        else stillPending.push(i);
      });
      pending = stillPending;
      continue;
    }

    const retry: number[] = [];
    let rateLimitWait = 0;
    batchResults.forEach((r, j) => {
      const i = pending[j] as number;
      results[i] = r;
      if (!r.ok && retryNow(r.error)) {
        retry.push(i);
        if (r.error instanceof RateLimitError) {
          rateLimitWait = Math.max(rateLimitWait, r.error.retryAfterMs ?? caller.policy.defaultRateLimitWaitMs);
        }
      }
    });
    if (retry.length === 0) break;
    const onlyRateLimited = retry.every((i) => {
      const r = results[i];
      return r !== undefined && !r.ok && r.error instanceof RateLimitError;
    });
    if (!onlyRateLimited) attempt++;
    if (attempt > caller.policy.retries || Date.now() - started > caller.policy.maxRetryTimeMs) break;
    if (onlyRateLimited) {
      await caller.waitForRateLimit(new RateLimitError('rate limited', rateLimitWait));
    } else {
      caller.stats.retries++;
      await caller.backoff(attempt);
    }
    pending = retry;
  }

  return results.map(
    (r) => r ?? { ok: false as const, error: new SyncError('not_sent', 'Not sent: the run stopped first.', { retryable: true }) },
  );
}
