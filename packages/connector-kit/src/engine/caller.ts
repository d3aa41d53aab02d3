import pRetry, { AbortError } from 'p-retry';
import type { SyncError } from '../errors/sync-error';
import { isRunStopping, RateLimitError, retryNow } from '../errors/sync-error';
import { toSyncError } from '../errors/to-sync-error';
import type { Logger } from '../logging/logger';
import type { Pacer } from './pacer';
import { backoffMs, type RetryPolicy } from './retry-policy';
import { sleep } from './sleep';

/** The kinds of calls the engine makes, for counting and logs. */
export type CallKind =
  | 'connect'
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
  /** Calls sent, by kind (retries included). */
  readonly calls: Record<CallKind, number>;
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
      find: 0,
      create: 0,
      update: 0,
      delete: 0,
      restore: 0,
      ensure_groups: 0,
      add_to_group: 0,
      remove_from_group: 0,
    },
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

  constructor(
    readonly pacer: Pacer,
    readonly policy: RetryPolicy,
    private readonly logger: Logger,
    private readonly signal: AbortSignal,
  ) {}

  /** The error that stopped the run, if any. */
  get stopped(): SyncError | undefined {
    return this.stopError;
  }

  /** Stops the run: later calls fail at once with `error`. */
  stop(error: SyncError): void {
    this.stopError ??= error;
  }

  /** Waits the backoff for retry number `attempt`. */
  backoff(attempt: number): Promise<void> {
    return sleep(backoffMs(this.policy, attempt), this.signal);
  }

  /** Waits for a rate limit (holding the pacer) and counts it. */
  async waitForRateLimit(error: RateLimitError): Promise<void> {
    const wait = error.retryAfterMs ?? this.policy.defaultRateLimitWaitMs;
    this.stats.rateLimited++;
    this.stats.rateLimitWaitMs += wait;
    this.pacer.hold(wait);
    this.logger.debug('rate limited', { waitMs: wait });
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
      return await pRetry(
        async () => {
          if (this.stopError) throw new AbortError(this.stopError);
          try {
            return await this.pacer.run(async () => {
              if (this.stopError) throw this.stopError;
              this.stats.calls[kind]++;
              try {
                return await fn();
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
        },
        {
          retries: this.policy.retries,
          factor: 2,
          minTimeout: this.policy.minTimeoutMs,
          maxTimeout: this.policy.maxTimeoutMs,
          randomize: true,
          maxRetryTime: this.policy.maxRetryTimeMs,
          signal: this.signal,
          shouldConsumeRetry: ({ error }) => !(error instanceof RateLimitError),
          shouldRetry: ({ error }) => {
            if (!retryNow(error) || this.stopError) return false;
            return retryAmbiguous || error instanceof RateLimitError;
          },
          onFailedAttempt: async ({ error }) => {
            if (error instanceof RateLimitError) await this.waitForRateLimit(error);
            else if (retryNow(error) && retryAmbiguous) {
              this.stats.retries++;
              this.logger.debug('retrying call', { kind, code: (error as SyncError).code });
            }
          },
        },
      );
    } catch (error) {
      throw toSyncError(error);
    }
  }
}
