import PQueue from 'p-queue';
import type { DestinationLimits } from '../destination/limits';

/**
 * Paces calls to a destination: at most `concurrency` in flight and, when the destination
 * declares a rate limit, at most `requests` per `intervalMs` (p-queue). A rate-limit answer
 * holds every queued call, not just the one that was refused.
 */
export class Pacer {
  private readonly queue: PQueue;
  private heldUntil = 0;
  private holdTimer: NodeJS.Timeout | undefined;

  constructor(limits: Pick<DestinationLimits, 'concurrency' | 'rateLimit'>) {
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
