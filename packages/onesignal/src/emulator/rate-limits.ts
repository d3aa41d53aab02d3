/**
 * OneSignal's API rate limits for the user model, as the emulator enforces them:
 * - creating, updating or deleting users: 1,000 requests/s per app and 1 request/s per
 *   user;
 * - viewing a user: about 1 request/s per app (10 per second "look-back"; modelled as 10
 *   per window).
 * A refused request gets 429 with `Retry-After` (whole seconds, rounded up) and does not
 * count against the window.
 * https://documentation.onesignal.com/reference/rate-limits
 */
export interface RateLimitOptions {
  /** User writes allowed per app per window. Default 1,000. */
  readonly appWrites?: number | undefined;
  /** Shortest gap between two writes to the same user, ms. Default 1,000 (1 request/s per user). */
  readonly userIntervalMs?: number | undefined;
  /** User reads allowed per app per window. Default 10. */
  readonly appViews?: number | undefined;
  /** Window of the per-app limits, ms. Default 1,000. */
  readonly windowMs?: number | undefined;
}

/** Which limit refused a request. */
export type LimitScope = 'user' | 'app';

/** A refusal: the scope and how long to wait, ms. */
export interface Refusal {
  readonly scope: LimitScope;
  readonly waitMs: number;
}

/** Sliding-window counters per app, and the last write per user. */
export class RateLimits {
  private readonly appWrites: number;
  private readonly userIntervalMs: number;
  private readonly appViews: number;
  private readonly windowMs: number;
  private readonly writes = new Map<string, number[]>();
  private readonly views = new Map<string, number[]>();
  private readonly lastUserWrite = new Map<string, number>();

  constructor(options: RateLimitOptions = {}) {
    this.appWrites = options.appWrites ?? 1_000;
    this.userIntervalMs = options.userIntervalMs ?? 1_000;
    this.appViews = options.appViews ?? 10;
    this.windowMs = options.windowMs ?? 1_000;
  }

  private window(map: Map<string, number[]>, appId: string, limit: number, now: number): Refusal | undefined {
    const times = (map.get(appId) ?? []).filter((t) => t > now - this.windowMs);
    map.set(appId, times);
    if (times.length < limit) return undefined;
    return { scope: 'app', waitMs: (times[0] as number) + this.windowMs - now };
  }

  /** Checks (and, when allowed, counts) a write to user `userKey` of app `appId`. */
  write(appId: string, userKey: string, now = Date.now()): Refusal | undefined {
    const key = `${appId}\u0000${userKey}`;
    const last = this.lastUserWrite.get(key);
    if (last !== undefined && now - last < this.userIntervalMs) return { scope: 'user', waitMs: last + this.userIntervalMs - now };
    const refused = this.window(this.writes, appId, this.appWrites, now);
    if (refused) return refused;
    this.writes.get(appId)?.push(now);
    this.lastUserWrite.set(key, now);
    return undefined;
  }

  /** Checks (and counts) a read of a user of app `appId`. */
  view(appId: string, now = Date.now()): Refusal | undefined {
    const refused = this.window(this.views, appId, this.appViews, now);
    if (refused) return refused;
    this.views.get(appId)?.push(now);
    return undefined;
  }

  /** Records a write to the user made elsewhere (the app's own SDK), using up its per-user budget. */
  touch(appId: string, userKey: string, now = Date.now()): void {
    this.lastUserWrite.set(`${appId}\u0000${userKey}`, now);
  }

  reset(): void {
    this.writes.clear();
    this.views.clear();
    this.lastUserWrite.clear();
  }
}
