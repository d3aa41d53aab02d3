import pRetry, { AbortError } from 'p-retry';
import type { SyncError } from '../../errors/sync-error';
import { isRunStopping, RateLimitError, retryNow } from '../../errors/sync-error';
import { RunStoppedError } from '../../errors/run-errors';
import { toSyncError } from '../../errors/to-sync-error';
import type { Logger } from '../../logging/logger';
import type { Pacer } from './pacer';
import { countRequests } from './request-counter';
import { backoffMs, type RetryPolicy } from './retry-policy';
import { sleep } from './sleep';

/** The kinds of calls the engine makes, for counting and logs. */
export type CallKind =
  | 'connect'
  | 'prepare_fields'
  | 'find_groups'
  | 'find'
  | 'create'
  | 'update'
  | 'delete'
  | 'restore'
  | 'ensure_groups'
  | 'add_to_group'
  | 'remove_from_group';

/** What the engine counted while talking to the destination. */
export interface CallStats {
  /** Verb calls made, by kind (retries included). */
  readonly calls: Record<CallKind, number>;
  /**
   * HTTP requests sent, by kind (retries, pages and a bulk job's create, upload, close, polls
   * and result pages included): what the destination's API counts. Connectors may label
   * parts of a call with `withRequestKind` (e.g. `bulk_poll`).
   */
  readonly requests: Record<string, number>;
  /** Calls retried after a retryable failure (rate limits excluded). */
  retries: number;
  /** Rate-limit answers received. */
  rateLimited: number;
  /** Total time spent waiting for rate limits, ms. */
  rateLimitWaitMs: number;
}

/** A zeroed {@link CallStats}. */
export function emptyCallStats(): CallStats {
  return {
    calls: {
      connect: 0,
      prepare_fields: 0,
      find_groups: 0,
      find: 0,
      create: 0,
      update: 0,
      delete: 0,
      restore: 0,
      ensure_groups: 0,
      add_to_group: 0,
      remove_from_group: 0,
    },
    requests: {},
    retries: 0,
    rateLimited: 0,
    rateLimitWaitMs: 0,
  };
}

/** How one call is retried. */
export interface CallOptions {
  /**
   * Retry failures whose effect is unknown (timeouts, resets, 5xx). Default true. Creates
   * pass false: the engine first checks whether the record was created after all.
   */
  readonly retryAmbiguous?: boolean;
}

/**
 * Sends calls to a destination through the pacer, with retries (p-retry): exponential
 * backoff with jitter for retryable failures, `Retry-After` for rate limits (which hold
 * every queued call and never use up the retry budget). A run-stopping error (auth,
 * exhausted quota) stops every later call.
 */
export class Caller {
  readonly stats: CallStats = emptyCallStats();
  private stopError: SyncError | undefined;
  /** Asked right before each call is sent: an error stops the run instead (see {@link Caller.gate}). */
  private gateCheck: (() => SyncError | undefined) | undefined;
  /** Aborted when the run stops (or the run's signal aborts): every wait ends at once. */
  private readonly waits = new AbortController();
  private readonly signal: AbortSignal;

  /**
   * @param runSignal - aborts every wait (backoff, rate limit) and retry loop.
   * @param onWait - told about each rate-limit wait before it starts (ms), for progress lines.
   */
  constructor(
    readonly pacer: Pacer,
    readonly policy: RetryPolicy,
    private readonly logger: Logger,
    runSignal: AbortSignal,
    private readonly onWait: (waitMs: number) => void = () => undefined,
  ) {
    this.signal = AbortSignal.any([runSignal, this.waits.signal]);
  }

  /** The error that stopped the run, if any. */
  get stopped(): SyncError | undefined {
    return this.stopError;
  }

  /** Stops the run: later calls fail at once with `error`, and every wait ends. Calls in flight finish. */
  stop(error: SyncError): void {
    if (this.stopError) return;
    this.stopError = error;
    this.waits.abort(error);
  }

  /**
   * Sets a check made right before each call is sent (after its pacing wait): when it returns
   * an error, the run stops with it and the call is not sent (e.g. the run's lease lapsed).
   */
  gate(check: () => SyncError | undefined): void {
    this.gateCheck = check;
  }

  /** Waits the backoff for retry number `attempt`. */
  backoff(attempt: number): Promise<void> {
    return sleep(backoffMs(this.policy, attempt), this.signal);
  }

  /**
   * Waits for a rate limit (holding the pacer for every queued call) and counts it.
   *
   * @throws {@link RunStoppedError} `rate_limited` (and stops the run) when the destination
   *   asks for a longer wait than the policy's `maxRateLimitWaitMs`: state is kept, the next
   *   run continues.
   */
  async waitForRateLimit(error: RateLimitError): Promise<void> {
    const wait = error.retryAfterMs ?? this.policy.defaultRateLimitWaitMs;
    this.stats.rateLimited++;
    if (wait > this.policy.maxRateLimitWaitMs) {
      const seconds = Math.round(wait / 1000);
      const stop = new RunStoppedError(
        'rate_limited',
        `The destination asked to wait ${seconds} s (Retry-After), longer than the ${Math.round(this.policy.maxRateLimitWaitMs / 1000)} s this run may wait; the run stopped and the next run continues where it left off.`,
        { retryable: true },
      );
      this.stop(stop);
      throw stop;
    }
    this.stats.rateLimitWaitMs += wait;
    this.pacer.hold(wait);
    this.logger.debug('rate limited', { waitMs: wait });
    this.onWait(wait);
    await sleep(wait, this.signal);
  }

  /**
   * Runs one destination call with pacing and retries.
   *
   * @throws the call's {@link SyncError} when it is not retryable, when retries are spent,
   *   or when the run was stopped.
   */
  async call<T>(kind: CallKind, fn: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    const retryAmbiguous = options.retryAmbiguous ?? true;
    try {
      // Waits happen in onFailedAttempt (cancellable when the run stops); p-retry itself never
      // sleeps and never sees the stop signal, so an answer that arrives after a stop is kept.
      return await pRetry(() => this.attempt(kind, fn), {
        retries: this.policy.retries,
        minTimeout: 0,
        maxTimeout: 0,
        maxRetryTime: this.policy.maxRetryTimeMs,
        shouldConsumeRetry: ({ error }) => !(error instanceof RateLimitError),
        shouldRetry: ({ error }) => {
          if (!retryNow(error) || this.stopError) return false;
          return retryAmbiguous || error instanceof RateLimitError;
        },
        onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
          if (this.stopError || !retryNow(error)) return;
          if (error instanceof RateLimitError) {
            await this.waitForRateLimit(error);
          } else if (retryAmbiguous && retriesLeft > 0) {
            this.stats.retries++;
            this.logger.debug('retrying call', { kind, code: (error as SyncError).code });
            await this.backoff(retriesConsumed + 1);
          }
        },
      });
    } catch (error) {
      throw toSyncError(error);
    }
  }

  /** One attempt of a call, through the pacer; a run-stopping error stops the run and ends the retries. */
  private async attempt<T>(kind: CallKind, fn: () => Promise<T>): Promise<T> {
    if (this.stopError) throw new AbortError(this.stopError);
    try {
      return await this.pacer.run(async () => {
        const refused = this.stopError ?? this.gateCheck?.();
        if (refused) {
          this.stop(refused);
          throw refused;
        }
        this.stats.calls[kind]++;
        try {
          return await countRequests(this.stats.requests, kind, fn);
        } catch (error) {
          // Registered before the pacer frees this slot, so no queued call starts after a run-stopping error.
          const e = toSyncError(error);
          if (isRunStopping(e)) this.stop(e);
          throw error;
        }
      });
    } catch (error) {
      const e = toSyncError(error);
      if (isRunStopping(e)) {
        this.stop(e);
        throw new AbortError(e);
      }
      throw e;
    }
  }
}
