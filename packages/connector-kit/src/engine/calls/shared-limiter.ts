/**
 * A rate limit shared with other processes calling the same destination account (several
 * workers on one Salesforce org, one Intercom workspace, …), in front of the run's own
 * pacing: `acquire` before every call, `hold` when the destination asked everyone to wait.
 * The kit never implements one; `@syncmodes/worker` provides one on Postgres.
 */
export interface SharedLimiter {
  /** Resolves when `n` calls may start (waits while the account's shared budget is spent or held). */
  acquire(n: number): Promise<void>;
  /**
   * The destination asked to wait `ms` (a 429 with `Retry-After`, or rate-limit headers
   * with few calls left): every process on the account holds until then. Fire and forget.
   */
  hold(ms: number): void;
}

/**
 * The longest hold a run that stops on a rate limit puts on every process of an account, ms
 * (1 hour); a {@link SharedLimiter} also reads a longer one as this long. A `Retry-After` of
 * 40 days (a proxy's bad header, a unit misread) held every run on the account for 40 days
 * (fresh reviewer 110, F4); after an hour, one call asks again.
 */
export const MAX_SHARED_HOLD_MS = 60 * 60_000;
