/** How calls are retried. Units: attempts and ms. */
export interface RetryPolicy {
  /** Retries after the first attempt for retryable failures (5xx, timeouts, resets). Rate-limit waits do not count. */
  readonly retries: number;
  /** First backoff delay, ms (doubled each retry, with jitter ×1–2). */
  readonly minTimeoutMs: number;
  /** Largest backoff delay, ms. */
  readonly maxTimeoutMs: number;
  /** Longest a single call may keep retrying (rate-limit waits included), ms. */
  readonly maxRetryTimeMs: number;
  /** Wait used for a rate limit that gives no `Retry-After`, ms. */
  readonly defaultRateLimitWaitMs: number;
  /**
   * Longest single rate-limit wait the run accepts, ms: a `Retry-After` beyond it stops the
   * run with `rate_limited` (state kept; the next run continues) instead of leaving it
   * silent for an hour.
   */
  readonly maxRateLimitWaitMs: number;
}

/** Defaults: 5 retries from 500 ms up to 30 s, at most 15 minutes per call, rate-limit waits up to 5 minutes. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  retries: 5,
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
