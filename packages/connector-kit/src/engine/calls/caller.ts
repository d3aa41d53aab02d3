import { setMaxListeners } from 'node:events';
import pRetry, { AbortError } from 'p-retry';
import type { SyncError } from '../../errors/sync-error';
import { isRunStopping, RateLimitError, retryNow } from '../../errors/sync-error';
import { RunStoppedError } from '../../errors/run-errors';
import { toSyncError } from '../../errors/to-sync-error';
import type { RateLimitInfo, RateLimitObserver } from '../../destination/verbs';
import type { Logger } from '../../logging/logger';
import type { Pacer } from './pacer';
import { closeRequests, countRequests, type OpenRequest } from './request-counter';
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
  | 'create_and_update'
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
      create_and_update: 0,
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

/** The error of a call abandoned because the run's signal aborted with no stop recorded (a check whose caller gave up). */
function abandoned(): SyncError {
  return new RunStoppedError('interrupted', 'Interrupted: the call in flight was cancelled before the destination answered.', { retryable: true });
}

/**
 * `promise`, unless `signal` aborts first: then a rejection with `reason()` at once. The
 * promise is left to settle on its own (a rejection it ends with is not reported).
 */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal, reason: () => unknown): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(reason());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** What one call (with its retries) has waited for rate limits so far (see {@link Caller.waitForRateLimit}). */
export interface RateLimitTally {
  /** Rate-limit answers received. */
  answers: number;
  /** Of those, answers that said nothing about how long to wait. */
  unannounced: number;
  /** Time waited for them, ms. */
  waitedMs: number;
}

/** A tally for a call that has not been rate-limited yet. */
export function newRateLimitTally(): RateLimitTally {
  return { answers: 0, unannounced: 0, waitedMs: 0 };
}

/** The wait for the `n`-th rate-limit answer in a row that said nothing about how long to wait (1-based), ms. */
export function unannouncedWaitMs(policy: RetryPolicy, n: number): number {
  const cap = Math.max(policy.defaultRateLimitWaitMs, policy.maxTimeoutMs);
  return Math.min(cap, policy.defaultRateLimitWaitMs * 2 ** Math.max(0, n - 1));
}

/**
 * What a {@link Caller}'s calls are for, which its stop messages say: a sync `run` (stopped,
 * its state kept: the next run continues) or a `check` (`checkDestination`: it writes
 * nothing, so there is nothing to continue; check again).
 */
export type CallerPurpose = 'run' | 'check';

function rateLimitStopMessage(error: RateLimitError, waitMs: number, tally: RateLimitTally, maxMs: number, kind: CallKind | undefined, purpose: CallerPurpose, streakMs = 0): string {
  const s = (ms: number) => `${ms < 10_000 ? Number((ms / 1000).toFixed(1)) : Math.round(ms / 1000)} s`;
  const announced = error.retryAfterMs !== undefined;
  const overLong = announced && waitMs > maxMs;
  // The connector's message names the vendor, the request and the vendor's code (never credentials).
  const last = error.status === undefined ? '' : ` (last answer: ${error.message.replace(/\.$/, '')})`;
  const next =
    purpose === 'run'
      ? `the run stopped and the next run continues where it left off${last}.`
      : `the check stopped${last}. Nothing was written: check again ${overLong ? 'once that wait is over' : 'later'}, or allow a longer wait.`;
  if (overLong) return `The destination asked to wait ${s(waitMs)} (Retry-After, or its rate-limit headers' reset time), longer than the ${s(maxMs)} this ${purpose} may wait (maxRateLimitWaitMs); ${next}`;
  if (tally.waitedMs + waitMs <= maxMs) {
    return `The destination has answered every call "rate limited", holding the ${purpose} for ${s(streakMs)} (no call got through since); the next wait (${s(waitMs)}) would pass the ${s(maxMs)} this ${purpose} may wait (maxRateLimitWaitMs); ${next}`;
  }
  const call = kind ? `one ${kind} call` : 'one call';
  const said = tally.unannounced === tally.answers ? ', never saying how long to wait' : tally.unannounced === 0 ? '' : `, ${tally.unannounced} of them without saying how long to wait`;
  return `The destination answered "rate limited" ${tally.answers} times in a row to ${call}${said}; it waited ${s(tally.waitedMs)} and the next wait (${s(waitMs)}) would pass the ${s(maxMs)} this ${purpose} may wait for one call (maxRateLimitWaitMs); ${next}`;
}

/**
 * Sends calls to a destination through the pacer, with retries (p-retry): exponential
 * backoff with jitter for retryable failures, `Retry-After` for rate limits (which hold
 * every queued call and never use up the retry budget, but are bounded: see
 * {@link Caller.waitForRateLimit}). A run-stopping error (auth, exhausted quota) stops every
 * later call.
 *
 * A request that got no answer in time (`timeout`) is retried at most
 * `policy.timeoutRetries` times (each costs a whole request timeout); when
 * `policy.unreachableAfterCalls` calls in a row end with no answer at all after their
 * retries, the run stops with `destination_unreachable`.
 */
export class Caller implements RateLimitObserver {
  readonly stats: CallStats = emptyCallStats();
  private stopError: SyncError | undefined;
  /** Asked right before each call is sent: an error stops the run instead (see {@link Caller.gate}). */
  private gateCheck: (() => SyncError | undefined | Promise<SyncError | undefined>) | undefined;
  /** Aborted when the run stops (or the run's signal aborts): every wait ends at once. */
  private readonly waits = new AbortController();
  private readonly signal: AbortSignal;
  /** Aborted when the run ends, or when its calls in flight are abandoned (see {@link Caller.call}). */
  private readonly runSignal: AbortSignal;
  /** Calls in a row that ended, after their retries, without any answer (see {@link CallerEvent}). */
  private unansweredCalls = 0;
  /** Whether the destination has answered a call of this run that sent requests (a result, or an error it sent). */
  private everAnswered = false;
  /** A wait or a timeout retry was reported and the destination has not answered since. */
  private waiting = false;
  /** While every call is answered "rate limited" (none got through since): how long the waits have held the run, overlapping waits counted once, ms. */
  private limitedMs = 0;
  /** Until when (ms since the epoch) the latest rate-limit wait holds the run. */
  private heldUntil = 0;

  /**
   * @param runSignal - aborts every wait (backoff, rate limit) and retry loop, and abandons
   *   the calls in flight: each rejects at once with the run's stop (`interrupted` when
   *   there is none), whatever its request is still doing.
   * @param onEvent - told about each rate-limit wait and each timeout retry before it starts, and when the destination answers again, for progress lines.
   * @param purpose - what the calls are for, which the messages of the errors that stop them say (default `run`).
   */
  constructor(
    readonly pacer: Pacer,
    readonly policy: RetryPolicy,
    private readonly logger: Logger,
    runSignal: AbortSignal,
    private readonly onEvent: (event: CallerEvent) => void = () => undefined,
    private readonly purpose: CallerPurpose = 'run',
  ) {
    this.runSignal = runSignal;
    this.signal = AbortSignal.any([runSignal, this.waits.signal]);
    // Every call waiting to retry (backoff, a rate limit) sleeps on it: more than Node's default
    // of 10 at once is expected, as on the run's own signal. Without this, Node warned
    // MaxListenersExceeded with 11 Intercom calls retrying (fourth trial of stop 27).
    setMaxListeners(1_000, this.signal);
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
    // Queued calls held by a rate-limit wait or waiting for a place in the window refuse now, not when the wait is over.
    this.pacer.drain();
  }

  /**
   * Sets a check made right before each call is sent (after its pacing wait; it may be
   * async): when it returns an error, the run stops with it and the call is not sent (e.g.
   * the run's lease lapsed and another run took it).
   */
  gate(check: () => SyncError | undefined | Promise<SyncError | undefined>): void {
    this.gateCheck = check;
  }

  /**
   * The gate's answer; one that takes time (a lease renewed after a pause) ends when the run
   * stops meanwhile (an interrupt), with that stop (fresh reviewer 119, F5: a store that did not
   * answer the renewal held an interrupted run past its grace, or for ever).
   */
  private async checkGate(): Promise<SyncError | undefined> {
    const checked = this.gateCheck?.();
    if (!(checked instanceof Promise)) return checked;
    return unlessAborted(checked, this.waits.signal, () => this.stopError).catch((error: unknown) => toSyncError(error));
  }

  /** Waits the backoff for retry number `attempt`. */
  backoff(attempt: number): Promise<void> {
    return sleep(backoffMs(this.policy, attempt), this.signal);
  }

  /**
   * Waits for a rate limit (holding the pacer for every queued call) and counts it. The wait
   * is what the destination asked (`retryAfterMs`: `Retry-After`, a reset header); when it
   * said nothing, the n-th such answer in a row to one call waits
   * `defaultRateLimitWaitMs` × 2^(n−1), up to `maxTimeoutMs` (no jitter: the pacer holds
   * every call anyway); from the second answer in a row on, an announced wait is raised to
   * at least `defaultRateLimitWaitMs` × 2^(n−2) (so `Retry-After: 0` on every answer ends too).
   *
   * Bounded: one call waits at most `maxRateLimitWaitMs` for rate limits in all, and the run
   * at most that long while every call is answered "rate limited" (from the first such answer
   * until a call gets through: calls in flight at once wait in turn), so a destination that
   * keeps answering "rate limited" (with or without a wait) stops the run instead of holding
   * it forever.
   *
   * @param tally - what this call (with its retries) has waited so far; updated.
   * @throws {@link RunStoppedError} `rate_limited` (and stops the run) when the destination
   *   asks for a longer wait than the policy's `maxRateLimitWaitMs`, or when this wait would
   *   take the call's waits beyond it: state is kept, the next run continues.
   */
  async waitForRateLimit(error: RateLimitError, tally: RateLimitTally = newRateLimitTally(), kind?: CallKind): Promise<void> {
    const announced = error.retryAfterMs;
    tally.answers++;
    if (announced === undefined) tally.unannounced++;
    // Answers in a row to one call wait at least the growing backoff, whatever they announce:
    // a `Retry-After: 0` on every answer would otherwise be retried at once, for ever (the
    // waits never add up to the bound).
    const floor = tally.answers > 1 ? unannouncedWaitMs(this.policy, tally.answers - 1) : 0;
    const wait = announced === undefined ? unannouncedWaitMs(this.policy, tally.unannounced) : Math.max(announced, floor);
    this.stats.rateLimited++;
    const max = this.policy.maxRateLimitWaitMs;
    // Calls in flight at once each keep their own tally: the run as a whole is bounded too (fourteenth trial of #17: 754 s under a 300 s bound).
    const now = Date.now();
    const adds = Math.max(0, now + wait - Math.max(now, this.heldUntil));
    if (wait > max || tally.waitedMs + wait > max || this.limitedMs + adds > max) {
      const stop = new RunStoppedError('rate_limited', rateLimitStopMessage(error, wait, tally, max, kind, this.purpose, this.limitedMs), { retryable: true, cause: error });
      this.pacer.holdOthers(wait);
      this.stop(stop);
      throw stop;
    }
    tally.waitedMs += wait;
    this.limitedMs += adds;
    this.heldUntil = Math.max(this.heldUntil, now + wait);
    this.stats.rateLimitWaitMs += wait;
    this.pacer.hold(wait);
    this.logger.debug('rate limited', { waitMs: wait, announced: announced !== undefined });
    this.waiting = true;
    this.onEvent({ kind: 'rate_limited', waitMs: wait });
    await sleep(wait, this.signal);
  }

  /**
   * Paces from the vendor's rate-limit headers, as verbs report them (`ctx.rateLimit`): when
   * the calls left in the window are no more than the calls that may be in flight, queued
   * calls wait for the window's reset, told to `onEvent` like any rate-limit wait (the
   * progress line says so). A reset further away than `maxRateLimitWaitMs` stops the run
   * with `rate_limited` instead (state kept), as an over-long `Retry-After` does.
   */
  observe(info: RateLimitInfo): void {
    if (this.stopError) return;
    const wait = this.pacer.resetWaitMs(info);
    if (wait <= 0) return;
    const max = this.policy.maxRateLimitWaitMs;
    if (wait > max) {
      const said = new RateLimitError(`rate-limit headers: ${info.remaining} calls left until the window resets`, wait);
      this.pacer.holdOthers(wait);
      this.stop(new RunStoppedError('rate_limited', rateLimitStopMessage(said, wait, newRateLimitTally(), max, undefined, this.purpose), { retryable: true }));
      return;
    }
    this.pacer.hold(wait);
    this.logger.debug('rate-limit window spent', { waitMs: wait, remaining: info.remaining });
    this.waiting = true;
    this.onEvent({ kind: 'rate_limited', waitMs: wait });
  }

  /**
   * Runs one destination call with pacing and retries. A call still in flight when the
   * run's signal aborts is abandoned: it rejects at once with the run's stop, its answer, if
   * one comes, is ignored, and its `http`/`https` requests still open are destroyed (their
   * sockets closed); the connector gets the same signal as `ctx.signal`, to cancel the rest
   * (fetch requests).
   *
   * @throws the call's {@link SyncError} when it is not retryable, when retries are spent,
   *   or when the run was stopped.
   */
  async call<T>(kind: CallKind, fn: () => Promise<T>, options: CallOptions = {}): Promise<T> {
    const retryAmbiguous = options.retryAmbiguous ?? true;
    const { policy } = this;
    let timeouts = 0;
    const rateLimits = newRateLimitTally();
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
            await this.waitForRateLimit(error, rateLimits, kind);
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
   * `policy.unreachableAfterCalls` such calls in a row, or at once when the destination has
   * answered no call of the run yet, the run stops (`destination_unreachable`).
   */
  private noAnswer(kind: CallKind, error: SyncError): void {
    this.unansweredCalls++;
    // A destination that has not answered a single call of this run is not reachable (OneSignal makes no call
    // to connect: a run of a few rows failed each with `timeout`, exit 1, fourteenth trial of #17).
    // (Connecting that gets no answer stops the run where it connects, saying so.)
    const patient = this.everAnswered || kind === 'connect';
    if ((patient && this.unansweredCalls < this.policy.unreachableAfterCalls) || this.stopError) return;
    this.stop(
      new RunStoppedError(
        'destination_unreachable',
        `The destination gave no answer to ${this.unansweredCalls} calls in a row, each retried (the last, ${kind}: ${error.message}); ${this.purpose === 'run' ? 'the run stopped and the next run continues where it left off' : 'the check stopped (nothing was written)'}.`,
        { retryable: true, cause: error },
      ),
    );
  }

  /** The destination answered (a result, or an error it sent): the count of unanswered calls starts over, and a wait reported is over. */
  private answered(kind: CallKind): void {
    this.unansweredCalls = 0;
    // Only a call of a kind that has sent requests tells the destination is there (OneSignal's connect builds its client, sending nothing).
    if ((this.stats.requests[kind] ?? 0) > 0) this.everAnswered = true;
    if (!this.waiting) return;
    this.waiting = false;
    this.onEvent({ kind: 'answered' });
  }

  /** One attempt of a call, through the pacer; a run-stopping error stops the run and ends the retries. */
  private async attempt<T>(kind: CallKind, fn: () => Promise<T>): Promise<T> {
    if (this.stopError) throw new AbortError(this.stopError);
    try {
      return await this.pacer.run(async () => {
        const refused = this.stopError ?? (await this.checkGate()) ?? this.stopError;
        if (refused) {
          this.stop(refused);
          throw refused;
        }
        this.stats.calls[kind]++;
        try {
          const open = new Set<OpenRequest>();
          const result = await unlessAborted(countRequests(this.stats.requests, kind, fn, open), this.runSignal, () => {
            // Abandoned: close the requests it left open, whether or not its SDK takes the signal.
            closeRequests(open);
            return this.stopError ?? abandoned();
          });
          this.answered(kind);
          this.limitedMs = 0;
          return result;
        } catch (error) {
          // Registered before the pacer frees this slot, so no queued call starts after a run-stopping error.
          const e = toSyncError(error);
          if (isRunStopping(e)) this.stop(e);
          if (!unanswered(e)) this.answered(kind);
          throw error;
        }
      }, kind);
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
