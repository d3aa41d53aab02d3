import PQueue from 'p-queue';

/**
 * How a {@link ViewPacer} spaces reads for `perSecond` (reads a second): one read every
 * `1000 / perSecond` ms — evenly spaced starts, never a burst at a window's edge (OneSignal
 * counts arrivals, and network jitter must not push two windows' worth into one) — down to
 * 1 ms, the finest a timer waits; above 1,000 a second, `perSecond / 1000` reads a
 * millisecond. (One read per `1000 / perSecond` ms below 1 ms ran at about 850 reads/s
 * whatever the setting: the benchmark's lookups of 3,000 users took 3.6 s at a setting of
 * 1,000,000.)
 * @returns p-queue's `interval` (ms) and `intervalCap` (reads per interval).
 */
export function viewSpacing(perSecond: number): { readonly interval: number; readonly intervalCap: number } {
  if (perSecond <= 1_000) return { interval: 1_000 / perSecond, intervalCap: 1 };
  return { interval: 1, intervalCap: Math.floor(perSecond / 1_000) };
}

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
    this.queue = new PQueue({ ...viewSpacing(perSecond), strict: true });
  }

  /** Aborted (and replaced) when a read gets no answer: see {@link ViewPacer.noAnswer}. */
  private cut = new AbortController();

  /** Runs `read` when the app's read budget allows. Rejects with `signal.reason` when the run stops first. */
  run<T>(read: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.queue.add(read, { signal: signal ? AbortSignal.any([signal, this.cut.signal]) : this.cut.signal });
  }

  /**
   * A read got no answer (it timed out, or the network failed): every read still waiting for
   * its turn fails at once with the same error, which its call retries (trial of stop 27:
   * against a server that never answers, 50 lookup calls of 10 reads each waited in this
   * one-a-second queue, and the run went on for many minutes instead of stopping
   * `destination_unreachable` after a few calls in a row got no answer).
   */
  noAnswer(error: unknown): void {
    const cut = this.cut;
    this.cut = new AbortController();
    cut.abort(error);
  }

  /** Reads waiting for their turn. */
  get waiting(): number {
    return this.queue.size;
  }
}
