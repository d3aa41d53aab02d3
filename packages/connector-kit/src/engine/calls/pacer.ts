import PQueue from 'p-queue';
import { MAX_TIMER_MS } from './sleep';
import type { CallKind } from './caller';
import type { DestinationLimits } from '../../destination/limits';
import type { RateLimitInfo } from '../../destination/verbs';
import { MAX_SHARED_HOLD_MS, type SharedLimiter } from './shared-limiter';

/**
 * A sliding window of `requests` calls per `intervalMs`, where a call holds its place from
 * the moment it starts until `intervalMs` after its answer arrived.
 *
 * Vendors count a call when it reaches them, somewhere between the moment it was sent and
 * the moment its answer came back. Counting from the start (p-queue's interval) lets
 * network and event-loop jitter put `requests + 1` arrivals into one of the vendor's
 * windows — a 429, and a `Retry-After` during which nothing is sent. Counting until an
 * interval after the answer guarantees that call k reaches the vendor at least
 * `intervalMs` after call k − `requests` did, so a limit of N per interval is never
 * exceeded, at a cost of one round trip per interval (at 5 ms round trips and a one-second
 * window: 99.5% of the limit).
 */
class AnswerWindow {
  /** When each answered call leaves the window, epoch ms, oldest first (answers arrive in time order). */
  private readonly leaving: number[] = [];
  private head = 0;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private requests: number,
    private readonly intervalMs: number,
  ) {}

  private occupied(now: number): number {
    while (this.head < this.leaving.length && (this.leaving[this.head] as number) <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > this.leaving.length) {
      this.leaving.splice(0, this.head);
      this.head = 0;
    }
    return this.inFlight + this.leaving.length - this.head;
  }

  /** Resolves when a call may start (its place is then taken). */
  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.pump();
    });
  }

  /** The call that took a place got its answer (or failed). */
  release(): void {
    this.inFlight--;
    this.leaving.push(Date.now() + this.intervalMs);
    this.pump();
  }

  private pump(): void {
    const now = Date.now();
    while (this.waiting.length > 0 && this.occupied(now) < this.requests) {
      this.inFlight++;
      (this.waiting.shift() as () => void)();
    }
    if (this.waiting.length > 0 && !this.timer && this.head < this.leaving.length) {
      // Full: wake when the oldest answered call leaves the window (calls in flight wake us on release).
      // Not unref'd: waiting calls depend on it (`close` clears it when the run ends).
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, Math.max(1, (this.leaving[this.head] as number) - now));
    }
  }

  /** Lets every waiting call, and every later one, start at once (the run stopped: they refuse to send). */
  open(): void {
    this.requests = Number.POSITIVE_INFINITY;
    this.pump();
  }

  /** Forgets waiting timers (the run ended). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/**
 * Paces calls to a destination: at most `concurrency` in flight and, when the destination
 * declares a rate limit, at most `requests` per `intervalMs`, each call counted until an
 * interval after its answer (see {@link AnswerWindow}). A rate-limit answer holds every
 * queued call, not just the one that was refused. With a {@link SharedLimiter}, every call
 * also takes a token of the account's shared budget before its place in the window, and
 * holds reach every process on the account.
 */
export class Pacer {
  private readonly queue: PQueue;
  private readonly window: AnswerWindow | undefined;
  private heldUntil = 0;
  private holdTimer: NodeJS.Timeout | undefined;

  private readonly concurrency: number;
  /** The call kinds the window and the shared budget count (undefined: every call). */
  private readonly counted: ReadonlySet<CallKind> | undefined;

  constructor(
    limits: Pick<DestinationLimits, 'concurrency' | 'rateLimit'>,
    private readonly shared?: SharedLimiter | undefined,
  ) {
    this.concurrency = limits.concurrency;
    this.queue = new PQueue({ concurrency: limits.concurrency });
    this.window = limits.rateLimit ? new AnswerWindow(limits.rateLimit.requests, limits.rateLimit.intervalMs) : undefined;
    this.counted = limits.rateLimit?.callKinds ? new Set(limits.rateLimit.callKinds) : undefined;
  }

  /** Runs `fn` when pacing allows; a call of a `kind` the rate limit does not count waits only for a concurrency slot (and for holds). */
  run<T>(fn: () => Promise<T>, kind?: CallKind): Promise<T> {
    const limited = kind === undefined || !this.counted || this.counted.has(kind);
    const window = limited ? this.window : undefined;
    const shared = limited ? this.shared : undefined;
    if (!window && !shared) return this.queue.add(fn);
    return this.queue.add(async () => {
      if (shared) await shared.acquire(1);
      if (!window) return fn();
      await window.acquire();
      try {
        return await fn();
      } finally {
        window.release();
      }
    });
  }

  /**
   * The destination asked for a wait of `ms` that this run will not make (it stops instead,
   * `rate_limited`): every other process on the account holds for it through the shared
   * limiter, and so does the retry of this run — without it the worker's retries called the
   * vendor again within seconds of a `Retry-After: 900`, were refused each time and
   * dead-lettered the run (fresh helper 107, M4). At most {@link MAX_SHARED_HOLD_MS}: a
   * `Retry-After` of 40 days (a proxy's bad header, a unit misread) held every run on the
   * account for that long (fresh reviewer 110, F4); after an hour one call asks again. Nothing
   * without a shared limiter.
   */
  holdOthers(ms: number): void {
    this.shared?.hold(Math.min(ms, MAX_SHARED_HOLD_MS));
  }

  /** Holds queued calls for `ms` (calls already in flight finish). */
  hold(ms: number): void {
    this.shared?.hold(ms);
    const until = Date.now() + ms;
    if (until <= this.heldUntil) return;
    this.heldUntil = until;
    this.queue.pause();
    this.armHold();
  }

  /**
   * Starts the queue when the hold ends. A Node timer may fire up to a millisecond before
   * `Date.now()` reaches its due time (libuv rounds its loop clock), so it re-arms for what is
   * left rather than start a call early.
   */
  private armHold(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    // Not unref'd: queued calls wait on it, and while they do it must keep the process alive
    // (with a 0 s Retry-After nothing else may be pending; Node would exit 13). `release` clears it.
    this.holdTimer = setTimeout(
      () => {
        this.holdTimer = undefined;
        if (Date.now() < this.heldUntil) this.armHold();
        else this.queue.start();
      },
      Math.min(Math.max(0, this.heldUntil - Date.now()), MAX_TIMER_MS),
    );
  }

  /**
   * How long queued calls should wait after a response's rate-limit headers, ms: until the
   * window's reset when the calls left in it are no more than the calls that may be in
   * flight, else 0. The {@link Caller} holds for it, or stops the run when it is too long.
   */
  resetWaitMs(info: RateLimitInfo): number {
    if (info.remaining > this.concurrency) return 0;
    return Math.max(0, info.resetAtMs - Date.now());
  }

  /**
   * The run stopped: every hold ends and every queued call starts at once, without waiting
   * for a place in the rate-limit window — the Caller refuses to send each of them, so a stop
   * during a long `Retry-After` or under a low `maxRequestsPerMinute` takes no longer than
   * the calls in flight.
   */
  drain(): void {
    this.window?.open();
    this.release();
  }

  /** Releases any hold (used when a run ends). */
  release(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.heldUntil = 0;
    this.window?.close();
    this.queue.start();
  }

  /** Resolves when every queued and running call has finished. */
  idle(): Promise<void> {
    return this.queue.onIdle();
  }
}
