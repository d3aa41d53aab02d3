import PQueue from 'p-queue';
import type { DestinationLimits } from '../destination/limits';
import type { RateLimitInfo } from '../destination/verbs';

/**
 * Paces calls to a destination: at most `concurrency` in flight and, when the destination
 * declares a rate limit, at most `requests` per `intervalMs` (p-queue). A rate-limit answer
 * holds every queued call, not just the one that was refused.
 */
export class Pacer {
  private readonly queue: PQueue;
  private heldUntil = 0;
  private holdTimer: NodeJS.Timeout | undefined;

  private readonly concurrency: number;

  constructor(limits: Pick<DestinationLimits, 'concurrency' | 'rateLimit'>) {
    this.concurrency = limits.concurrency;
    this.queue = new PQueue({
      concurrency: limits.concurrency,
      ...(limits.rateLimit
        ? { intervalCap: limits.rateLimit.requests, interval: limits.rateLimit.intervalMs, strict: true }
        : {}),
    });
  }

  /** Runs `fn` when pacing allows. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.add(fn);
  }

  /** Holds queued calls for `ms` (calls already in flight finish). */
  hold(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.heldUntil) return;
    this.heldUntil = until;
    this.queue.pause();
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => {
      this.holdTimer = undefined;
      this.queue.start();
    }, ms);
    this.holdTimer.unref?.();
  }

  /**
   * Paces from the vendor's rate-limit headers: when the calls left in the window are no
   * more than the calls that may be in flight, queued calls wait for the window's reset.
   */
  observe(info: RateLimitInfo): void {
    if (info.remaining > this.concurrency) return;
    const wait = info.resetAtMs - Date.now();
    if (wait > 0) this.hold(Math.min(wait, 120_000));
  }

  /** Releases any hold (used when a run ends). */
  release(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.heldUntil = 0;
    this.queue.start();
  }

  /** Resolves when every queued and running call has finished. */
  idle(): Promise<void> {
    return this.queue.onIdle();
  }
}
