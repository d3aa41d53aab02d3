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
