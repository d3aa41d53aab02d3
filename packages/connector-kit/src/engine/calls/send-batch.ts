import type { ItemResult } from '../../destination/verbs';
import { isRunStopping, RateLimitError, retryNow, SyncError } from '../../errors/sync-error';
import { toSyncError } from '../../errors/to-sync-error';
import { newRateLimitTally, type Caller, type CallKind } from './caller';

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

type Send<I> = (items: readonly I[]) => Promise<ItemResult[]>;
type Slots = (ItemResult | undefined)[];

const unsent = () => ({ ok: false as const, error: new SyncError('not_sent', 'Not sent: the run stopped first.', { retryable: true }) });

/** One call for the items at `pending`; checks the verb answered once per item. */
async function callOnce<I>(caller: Caller, kind: CallKind, items: readonly I[], pending: readonly number[], send: Send<I>, reconciling: boolean): Promise<ItemResult[]> {
  const batch = pending.map((i) => items[i] as I);
  const results = await caller.call(kind, () => send(batch), { retryAmbiguous: !reconciling });
  if (results.length !== batch.length) {
    throw new SyncError('connector_result_mismatch', `The destination's ${kind} verb returned ${results.length} results for ${batch.length} records (a connector bug).`);
  }
  if (kind === 'create' || kind === 'create_and_update') checkDistinctIds(results);
  return results;
}

/**
 * A create answered with one destination id for several records (a proxy's cached answer, a
 * vendor fault): which record each is cannot be told, so the call fails `unexpected_response`
 * (retryable) and, for destinations that reconcile, the records are looked up — taken as
 * answered, the sync's state mapped 20 records to one Contact (second trial of stop 32).
 */
function checkDistinctIds(results: readonly ItemResult[]): void {
  const seen = new Set<string>();
  for (const r of results) {
    if (!r.ok || r.id === undefined) continue;
    if (seen.has(r.id)) throw new SyncError('unexpected_response', `The destination answered a create with the same record id (${r.id}) for several records; they are looked up before anything is sent again.`, { status: 200, retryable: true });
    seen.add(r.id);
  }
}

/**
 * The destination refused the call (a 4xx answer it could read): nothing of it was applied —
 * or the connector answered with the wrong number of results (its bug, split out loudly so
 * the conformance suite sees it).
 */
function refused(error: SyncError): boolean {
  if (error.code === 'connector_result_mismatch') return true;
  return error.status !== undefined && error.status >= 400 && error.status < 500 && error.code !== 'unexpected_response';
}

/** A batch rejected as a whole (not retryable): split in halves, recursively, so only the bad record fails. */
async function split<I>(caller: Caller, kind: CallKind, items: readonly I[], pending: readonly number[], send: Send<I>, options: SendBatchOptions<I>, error: SyncError, slots: Slots): Promise<void> {
  if (pending.length === 1) {
    slots[pending[0] as number] = { ok: false, error };
    return;
  }
  const mid = Math.ceil(pending.length / 2);
  const halves = [pending.slice(0, mid), pending.slice(mid)];
  const answers = await Promise.all(halves.map((half) => sendBatch(caller, kind, half.map((i) => items[i] as I), send, options)));
  halves.forEach((half, h) => half.forEach((i, j) => (slots[i] = answers[h]?.[j])));
}

/** After a failure whose effect is unknown: which items exist after all. Returns the items still to send, or undefined when reconciling failed. */
async function reconcileAfter<I>(items: readonly I[], pending: readonly number[], options: SendBatchOptions<I>, slots: Slots): Promise<number[] | undefined> {
  let existing: (string | SyncError | undefined)[];
  try {
    existing = await (options.reconcile as NonNullable<SendBatchOptions<I>['reconcile']>)(pending.map((i) => items[i] as I));
  } catch (thrown) {
    const e = toSyncError(thrown);
    if (isRunStopping(e)) throw e;
    return undefined;
  }
  const still: number[] = [];
  pending.forEach((i, j) => {
    const id = existing[j];
    if (typeof id === 'string') slots[i] = { ok: true, id };
    else if (id instanceof SyncError) slots[i] = { ok: false, error: id };
    else still.push(i);
  });
  return still;
}

/** Items whose own failure may clear on retry; whether they were all rate limits, and the longest wait asked. */
function retryable(pending: readonly number[], results: readonly ItemResult[], slots: Slots): { retry: number[]; onlyRateLimited: boolean; waitMs: number } {
  const retry: number[] = [];
  let onlyRateLimited = true;
  let waitMs = 0;
  results.forEach((r, j) => {
    const i = pending[j] as number;
    slots[i] = r;
    if (r.ok || !retryNow(r.error)) return;
    retry.push(i);
    if (r.error instanceof RateLimitError) waitMs = Math.max(waitMs, r.error.retryAfterMs ?? 0);
    else onlyRateLimited = false;
  });
  return { retry, onlyRateLimited, waitMs };
}

/**
 * Sends one batch through `send` and returns exactly one {@link ItemResult} per item, in
 * order. The call itself goes through the run's `Caller` (paced, retried, counted); this
 * function handles what only a batch has:
 *
 * - a whole-call failure that is not retryable (the batch was rejected as a whole) is split
 *   in halves, recursively, so only the bad record fails;
 * - retryable per-item failures (e.g. a locked row) are resent, after the caller's backoff,
 *   up to the retry budget; items rate-limited on their own wait their `Retry-After`
 *   through the caller (holding every queued call; all the batch's waits together bounded
 *   by the run's maximum wait);
 * - with `reconcile`, ambiguous whole-call failures are checked before resending; a call that
 *   got no answer in time is checked once and never resent in the run (the destination may
 *   still be writing it: a resend would make a duplicate), its items fail `timeout`.
 *
 * @throws a run-stopping {@link SyncError} (auth, quota, interrupt…), after which nothing is sent.
 */
export async function sendBatch<I>(caller: Caller, kind: CallKind, items: readonly I[], send: Send<I>, options: SendBatchOptions<I> = {}): Promise<ItemResult[]> {
  const slots: Slots = new Array<ItemResult | undefined>(items.length).fill(undefined);
  let pending = items.map((_, i) => i);
  let attempt = 0;
  let timeouts = 0;
  const rateLimits = newRateLimitTally();
  const started = Date.now();
  while (pending.length > 0) {
    let results: ItemResult[];
    try {
      results = await callOnce(caller, kind, items, pending, send, options.reconcile !== undefined);
    } catch (thrown) {
      const error = toSyncError(thrown);
      if (isRunStopping(error) || caller.stopped) throw caller.stopped ?? error;
      // A create whose answer could not be read, or that failed without a refusal from the destination (a bug, a proxy's page):
      // it may have been written — split and resent, it made duplicates (second trial of stop 31). What a lookup finds is
      // taken; the rest fails and is not resent in this run.
      if (!error.retryable && options.reconcile !== undefined && !refused(error)) {
        const still = await reconcileAfter(items, pending, options, slots);
        for (const i of still ?? pending) slots[i] = { ok: false, error };
        break;
      }
      if (!error.retryable) return (await split(caller, kind, items, pending, send, options, error, slots), fill(slots));
      if (error.code === 'timeout') timeouts++;
      // No answer in time: the destination may still be writing (a slow request is not a dead
      // one), and a lookup now cannot see it. What the lookup finds is taken; the rest is not
      // resent in this run — it fails `timeout` (retryable) and the next run looks it up first.
      const slow = error.code === 'timeout' && options.reconcile !== undefined;
      const again = retryNow(error) && options.reconcile !== undefined && attempt < caller.policy.retries;
      const still = again ? await backoffThenReconcile(caller, kind, ++attempt, timeouts, error, items, pending, options, slots) : undefined;
      if (!still || slow) {
        const failed = slow ? notResent(error) : error;
        for (const i of still ?? pending) slots[i] = { ok: false, error: failed };
        break;
      }
      pending = still;
      continue;
    }
    const { retry, onlyRateLimited, waitMs } = retryable(pending, results, slots);
    if (retry.length === 0) break;
    if (!onlyRateLimited) attempt++;
    if (attempt > caller.policy.retries || Date.now() - started > caller.policy.maxRetryTimeMs) break;
    if (onlyRateLimited) await caller.waitForRateLimit(new RateLimitError('rate limited', waitMs || undefined), rateLimits, kind);
    else {
      caller.stats.retries++;
      await caller.backoff(attempt);
    }
    pending = retry;
  }
  return fill(slots);
}

async function backoffThenReconcile<I>(caller: Caller, kind: CallKind, attempt: number, timeouts: number, error: SyncError, items: readonly I[], pending: readonly number[], options: SendBatchOptions<I>, slots: Slots): Promise<number[] | undefined> {
  caller.stats.retries++;
  if (error.code === 'timeout') await caller.retryAfterTimeout(kind, timeouts, attempt, error);
  else await caller.backoff(attempt);
  return reconcileAfter(items, pending, options, slots);
}

/** A write that got no answer in time, not resent (it may still be happening). */
function notResent(error: SyncError): SyncError {
  return new SyncError('timeout', `${error.message} Not resent in this run: the destination may still be writing it; the next run looks it up before sending again.`, { retryable: true, cause: error });
}

const fill = (slots: Slots): ItemResult[] => slots.map((r) => r ?? unsent());
