import PQueue from 'p-queue';

/**
 * Keeps user reads (`GET …/users/by/…`) at or under OneSignal's app-wide rate for view
 * endpoints — "1 request/sec/app, up to 10 look-back requests/sec" — with p-queue in strict
 * (sliding window) mode: reads start evenly spaced, `perSecond` a second, whatever
 * the rest of the run does (the kit paces updates at their own, much higher rate of
 * 1,000/s).
 * https://documentation.onesignal.com/reference/rate-limits
 */
export class ViewPacer {
  private readonly queue: PQueue;

  /** `perSecond`: reads started per second (OneSignal: 1). */
  constructor(perSecond: number) {
    // Evenly spaced starts (one per 1000/perSecond ms), never a burst at a window's edge:
    // OneSignal counts arrivals, and network jitter must not push two windows' worth into one.
    this.queue = new PQueue({ intervalCap: 1, interval: 1_000 / perSecond, strict: true });
  }

  /** Runs `read` when the app's read budget allows. Rejects with `signal.reason` when the run stops first. */
  run<T>(read: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.queue.add(read, { signal });
  }

  /** Reads waiting for their turn. */
  get waiting(): number {
    return this.queue.size;
  }
}
