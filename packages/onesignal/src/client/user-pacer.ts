/**
 * Keeps requests for one user at least `intervalMs` apart (OneSignal: 1 request/s per user,
 * https://documentation.onesignal.com/reference/rate-limits). Slots are reserved when
 * asked for, so concurrent requests for the same user queue one after another; other
 * users are not held.
 */
export class UserPacer {
  private readonly next = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** Waits until a request for `user` may be sent, and reserves that moment. */
  async wait(user: string, signal?: AbortSignal): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next.get(user) ?? now);
    this.next.set(user, at + this.intervalMs);
    if (at > now) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, at - now);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        }, { once: true });
      });
    }
  }

  /** Forgets a user whose update is complete (keeps the map small on long runs). */
  forget(user: string): void {
    const at = this.next.get(user);
    if (at !== undefined && at <= Date.now()) this.next.delete(user);
  }
}
