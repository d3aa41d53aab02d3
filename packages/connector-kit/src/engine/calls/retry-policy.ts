/** How calls are retried. Units: attempts and ms. */
export interface RetryPolicy {
  /**
   * Retries after the first attempt for retryable failures (5xx, timeouts, resets). Rate-limit waits do not count.
   * @defaultValue `5`
   */
  readonly retries: number;
  /**
   * Of those, the most retries of a request that got no answer in time (`timeout`): each
   * one costs a whole request timeout, so a destination that never answers costs
   * (1 + this) × the timeout per call, not `retries` × it. They count against `retries` too.
   * @defaultValue `2`
   */
  readonly timeoutRetries: number;
  /**
   * Calls in a row that end, after their retries, with no answer at all (every attempt
   * timed out or failed on the network) before the run stops with `destination_unreachable`
   * (state kept; the next run continues) instead of failing every remaining record the
   * same slow way. While the destination has answered no request of the run yet (its first
   * connection, or the first lookup where connecting makes no call), one such call stops it.
   * @defaultValue `3`
   */
  readonly unreachableAfterCalls: number;
  /**
   * First backoff delay, ms (doubled each retry, with jitter ×1–2).
   * @defaultValue `500`
   */
  readonly minTimeoutMs: number;
  /**
   * Largest backoff delay, ms.
   * @defaultValue `30000`
   */
  readonly maxTimeoutMs: number;
  /**
   * Longest a single call may keep retrying (rate-limit waits included), ms.
   * @defaultValue `900000` (15 minutes)
   */
  readonly maxRetryTimeMs: number;
  /**
   * Wait used for a rate limit that gives no `Retry-After`, ms: doubled for each such answer
   * in a row to one call, up to `maxTimeoutMs` (1, 2, 4… s by default), and bounded with the
   * other waits by `maxRateLimitWaitMs`.
   * @defaultValue `1000`
   */
  readonly defaultRateLimitWaitMs: number;
  /**
   * Longest a call may wait for rate limits, ms: a `Retry-After` beyond it, rate-limit
   * answers in a row to one call whose waits add up beyond it (with or without a
   * `Retry-After`), or every call answered "rate limited" for longer than it (no call getting
   * through; concurrent calls included), stop the run with `rate_limited` (state kept; the
   * next run continues) instead of leaving it silent for an hour, or retrying forever.
   * @defaultValue `300000` (5 minutes)
   */
  readonly maxRateLimitWaitMs: number;
}

/**
 * Defaults: 5 retries from 500 ms up to 30 s (at most 2 of them after a timeout), at most 15
 * minutes per call, rate-limit waits up to 5 minutes per call (1 s, doubled per answer in a
 * row, when the destination says nothing), the run stops after 3 calls in a row got no answer.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 5,
  timeoutRetries: 2,
  unreachableAfterCalls: 3,
  minTimeoutMs: 500,
  maxTimeoutMs: 30_000,
  maxRetryTimeMs: 15 * 60_000,
  defaultRateLimitWaitMs: 1_000,
  maxRateLimitWaitMs: 5 * 60_000,
});

/** Backoff for retry number `attempt` (1-based): min × 2^(attempt-1), capped, × random 1–2. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxTimeoutMs, policy.minTimeoutMs * 2 ** Math.max(0, attempt - 1));
  return Math.min(policy.maxTimeoutMs, Math.round(base * (1 + random())));
}
