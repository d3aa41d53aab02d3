/**
 * OneSignal's API rate limits for the user model, as the emulator enforces them
 * (https://documentation.onesignal.com/reference/rate-limits, "API rate limits"):
 * - "Create, update, or delete users or subscriptions: 1,000 requests/sec/app, 1
 *   request/sec per user or subscription";
 * - "View endpoints (messages, templates, users): 1 request/sec/app, up to 10 look-back
 *   requests/sec" — modelled as a bucket of 10 requests refilled at 1 a second: a burst of
 *   up to 10, then 1 a second sustained.
 * Limits are "evaluated when a request is received". A refused request gets 429 with
 * `Retry-After` (whole seconds, rounded up) and does not count.
 */
export interface RateLimitOptions {
  /** User writes allowed per app per window. Default 1,000. */
  readonly appWrites?: number | undefined;
  /** Shortest gap between two writes to the same user, ms. Default 1,000 (1 request/s per user). */
  readonly userIntervalMs?: number | undefined;
  /** User reads allowed per app per window, sustained. Default 1 (1 request/s per app). */
  readonly appViews?: number | undefined;
  /** Reads allowed in a burst (the "look-back"). Default 10. */
  readonly viewBurst?: number | undefined;
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
  private appViews: number;
  private viewBurst: number;
  private readonly windowMs: number;
  private readonly writes = new Map<string, number[]>();
  /** Per app: read tokens left and when they were counted (a token bucket). */
  private readonly views = new Map<string, { tokens: number; at: number }>();
  private readonly lastUserWrite = new Map<string, number>();

  constructor(options: RateLimitOptions = {}) {
    this.appWrites = options.appWrites ?? 1_000;
    this.userIntervalMs = options.userIntervalMs ?? 1_000;
    this.appViews = options.appViews ?? 1;
    this.viewBurst = options.viewBurst ?? 10;
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

  /** Checks (and counts) a read of a user of app `appId`: a burst of `viewBurst`, refilled at `appViews` per window. */
  view(appId: string, now = Date.now()): Refusal | undefined {
    const perMs = this.appViews / this.windowMs;
    const last = this.views.get(appId) ?? { tokens: this.viewBurst, at: now };
    const tokens = Math.min(this.viewBurst, last.tokens + (now - last.at) * perMs);
    if (tokens < 1) {
      this.views.set(appId, { tokens, at: now });
      return { scope: 'app', waitMs: Math.ceil((1 - tokens) / perMs) };
    }
    this.views.set(appId, { tokens: tokens - 1, at: now });
    return undefined;
  }

  /** Changes the read rate: `perSecond` sustained, bursts of `burst` (default: the larger of 10 and `perSecond`). */
  setViewRate(perSecond: number, burst = Math.max(10, perSecond)): void {
    this.appViews = (perSecond * this.windowMs) / 1_000;
    this.viewBurst = burst;
    this.views.clear();
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
