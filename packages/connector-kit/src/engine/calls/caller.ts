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
 * What the caller tells the run while it waits, for progress lines: a rate-limit wait
 * (every queued call held for `waitMs`), a retry of a request that got no answer in time
 * (retry `retry` of at most `of`, after `waitMs` of backoff), and the destination answering
 * again after either.
 */
export type CallerEvent =
  | { readonly kind: 'rate_limited'; readonly waitMs: number }
  | { readonly kind: 'timeout_retry'; readonly waitMs: number; readonly retry: number; readonly of: number; readonly call: CallKind }
  | { readonly kind: 'answered' };

/** A failure that carries no answer from the destination: it timed out, or the network failed. */
function unanswered(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === 'timeout' || code === 'network_error';
}

/**
 * Sends calls to a destination through the pacer, with retries (p-retry): exponential
 * backoff with jitter for retryable failures, `Retry-After` for rate limits (which hold
 * every queued call and never use up the retry budget). A run-stopping error (auth,
 * exhausted quota) stops every later call.
 *
 * A request that got no answer in time (`timeout`) is retried at most
 * `policy.timeoutRetries` times (each costs a whole request timeout); when
 * `policy.unreachableAfterCalls` calls in a row end with no answer at all after their
 * retries, the run stops with `destination_unreachable`.
 */
export class Caller {
  readonly stats: CallStats = emptyCallStats();
  private stopError: SyncError | undefined;
  /** Asked right before each call is sent: an error stops the run instead (see {@link Caller.gate}). */
  private gateCheck: (() => SyncError | undefined) | undefined;
  /** Aborted when the run stops (or the run's signal aborts): every wait ends at once. */
  private readonly waits = new AbortController();
  private readonly signal: AbortSignal;
  /** Calls in a row that ended, after their retries, without any answer (see {@link CallerEvent}). */
  private unansweredCalls = 0;
  /** A wait or a timeout retry was reported and the destination has not answered since. */
  private waiting = false;

  /**
   * @param runSignal - aborts every wait (backoff, rate limit) and retry loop.
   * @param onEvent - told about each rate-limit wait and each timeout retry before it starts, and when the destination answers again, for progress lines.
   */
  constructor(
    readonly pacer: Pacer,
    readonly policy: RetryPolicy,
    private readonly logger: Logger,
    runSignal: AbortSignal,
    private readonly onEvent: (event: CallerEvent) => void = () => undefined,
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
    this.waiting = true;
    this.onEvent({ kind: 'rate_limited', waitMs: wait });
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
    const { policy } = this;
    let timeouts = 0;
    const retryable = (error: unknown): boolean => {
      if (!retryNow(error) || this.stopError) return false;
      if (error instanceof RateLimitError) return true;
      // A request that got no answer in time: a small budget of its own (each retry costs a whole timeout).
      return retryAmbiguous && !((error as SyncError).code === 'timeout' && timeouts > policy.timeoutRetries);
    };
    try {
      // Waits happen in onFailedAttempt (cancellable when the run stops); p-retry itself never
      // sleeps and never sees the stop signal, so an answer that arrives after a stop is kept.
      return await pRetry(() => this.attempt(kind, fn), {
        retries: policy.retries,
        minTimeout: 0,
        maxTimeout: 0,
        maxRetryTime: policy.maxRetryTimeMs,
        shouldConsumeRetry: ({ error }) => !(error instanceof RateLimitError),
        shouldRetry: ({ error }) => retryable(error),
        onFailedAttempt: async ({ error, retriesLeft, retriesConsumed }) => {
          if ((error as SyncError).code === 'timeout') timeouts++;
          if (!retryable(error)) return;
          if (error instanceof RateLimitError) {
            await this.waitForRateLimit(error);
          } else if (retriesLeft > 0) {
            this.stats.retries++;
            if ((error as SyncError).code === 'timeout') await this.retryAfterTimeout(kind, timeouts, retriesConsumed + 1, error as SyncError);
            else {
              this.logger.debug('retrying call', { kind, code: (error as SyncError).code });
              await this.backoff(retriesConsumed + 1);
            }
          }
        },
      });
    } catch (thrown) {
      const error = toSyncError(thrown);
      if (retryAmbiguous && unanswered(error)) this.noAnswer(kind, error);
      throw error;
    }
  }

  /**
   * Before retry `retry` (of at most `policy.timeoutRetries`) of a `kind` call that got no
   * answer in time: says so (a warning, and a progress event), then waits the backoff for
   * retry number `attempt`.
   */
  async retryAfterTimeout(kind: CallKind, retry: number, attempt: number, error: SyncError): Promise<void> {
    const waitMs = backoffMs(this.policy, attempt);
    const of = Math.min(this.policy.timeoutRetries, this.policy.retries);
    this.logger.warn(`no answer from the destination in time (${kind}): retrying, ${retry} of at most ${of} retries`, { kind, code: error.code, waitMs, message: error.message });
    this.waiting = true;
    this.onEvent({ kind: 'timeout_retry', waitMs, retry, of, call: kind });
    await sleep(waitMs, this.signal);
  }

  /**
   * A call ended, after its retries, with no answer from the destination: after
   * `policy.unreachableAfterCalls` such calls in a row, the run stops (`destination_unreachable`).
   */
  private noAnswer(kind: CallKind, error: SyncError): void {
    this.unansweredCalls++;
    if (this.unansweredCalls < this.policy.unreachableAfterCalls || this.stopError) return;
    this.stop(
      new RunStoppedError(
        'destination_unreachable',
        `The destination gave no answer to ${this.unansweredCalls} calls in a row, each retried (the last, ${kind}: ${error.message}); the run stopped and the next run continues where it left off.`,
        { retryable: true, cause: error },
      ),
    );
  }

  /** The destination answered (a result, or an error it sent): the count of unanswered calls starts over, and a wait reported is over. */
  private answered(): void {
    this.unansweredCalls = 0;
    if (!this.waiting) return;
    this.waiting = false;
    this.onEvent({ kind: 'answered' });
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
          const result = await countRequests(this.stats.requests, kind, fn);
          this.answered();
          return result;
        } catch (error) {
          // Registered before the pacer frees this slot, so no queued call starts after a run-stopping error.
          const e = toSyncError(error);
          if (isRunStopping(e)) this.stop(e);
          if (!unanswered(e)) this.answered();
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
