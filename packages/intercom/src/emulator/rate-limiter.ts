/** An app's rate limit: `limit` calls per fixed window of `windowMs`. */
export interface RateLimitOptions {
  readonly limit: number;
  readonly windowMs: number;
}

/**
 * Intercom's default for private apps: 10,000 calls a minute, enforced over 10-second
 * windows (⌈10,000 / 6⌉ = 1,667 per window).
 * https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
 */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 1_667, windowMs: 10_000 };

/** What the limiter decided for one call, with the headers Intercom sends. */
export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Fixed windows aligned to multiples of `windowMs` since the epoch. Every authenticated
 * call counts; a refused call does not. Headers: `X-RateLimit-Limit` (calls per window),
 * `X-RateLimit-Remaining`, `X-RateLimit-Reset` (end of the window, epoch seconds, rounded up).
 */
export class RateLimiter {
  private windowStart = 0;
  private used = 0;

  constructor(
    public options: RateLimitOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a call when the window has room. */
  take(): RateLimitDecision {
    const now = this.now();
    const start = Math.floor(now / this.options.windowMs) * this.options.windowMs;
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.used = 0;
    }
    const allowed = this.used < this.options.limit;
    if (allowed) this.used++;
    return { allowed, headers: this.headers(this.windowStart + this.options.windowMs) };
  }

  /** Headers announcing a wait until `resetAtMs` (for injected 429 faults). */
  headersUntil(resetAtMs: number): Readonly<Record<string, string>> {
    return { ...this.headers(resetAtMs), 'X-RateLimit-Remaining': '0' };
  }

  private headers(resetAtMs: number): Record<string, string> {
    return {
      'X-RateLimit-Limit': String(this.options.limit),
      'X-RateLimit-Remaining': String(Math.max(0, this.options.limit - this.used)),
      'X-RateLimit-Reset': String(Math.ceil(resetAtMs / 1000)),
    };
  }
}
