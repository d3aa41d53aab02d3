/**
 * Keeps requests for one user at least `intervalMs` apart (OneSignal: 1 request/s per user,
 * https://documentation.onesignal.com/reference/rate-limits). OneSignal counts a request
 * when it receives it, so the gap is measured from the previous answer (which arrives
 * after OneSignal received that request), not from when it was sent. Other users are
 * never held.
 */
export class UserPacer {
  private readonly next = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** Waits until a request for `user` may be sent (and holds the slot for it). */
  async wait(user: string, signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next.get(user) ?? now);
    this.next.set(user, at + this.intervalMs);
    if (at > now) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, at - now);
        signal?.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            reject(signal.reason);
          },
          { once: true },
        );
      });
    }
  }

  /** Records that the answer for `user` arrived: the next request waits `intervalMs` from now. */
  answered(user: string): void {
    this.next.set(user, Math.max(this.next.get(user) ?? 0, Date.now() + this.intervalMs));
  }

  /**
   * Forgets a user whose update is complete, so the map stays small on long runs. (A run
   * sends one update per user: the kit refuses two records with the same external_id.)
   */
  forget(user: string): void {
    this.next.delete(user);
  }
}
