/** A vendor's rate limit: `requests` calls per `intervalMs`. */
export interface RateLimit {
  readonly requests: number;
  readonly intervalMs: number;
}

/** How a shared rate limit is cut: `points` calls per sub-window of `durationMs`, aligned to a grid. */
export interface SharedBudget {
  readonly points: number;
  readonly durationMs: number;
  /** Most calls any window of the vendor's `intervalMs` can see. */
  readonly worstCase: number;
  /** The share of the limit a steady demand uses (0–1). */
  readonly sustained: number;
}

/** The share of the limit grants may reach in any vendor window. */
export const CAP = 0.97;

/** Sub-windows shorter than this cost more database round trips than they gain. */
const MIN_SUB_WINDOW_MS = 50;

/**
 * Cuts a vendor limit into sub-windows of one grid (multiples of `durationMs` since the
 * epoch), each allowing `points` calls to all workers together. A vendor window of
 * `intervalMs` touches at most `s + 1` sub-windows of `⌈intervalMs / s⌉`, so with
 * `points = ⌊0.97 × requests / (s + 1)⌋` no vendor window ever sees more than 97% of the
 * limit from grants (the rest is a margin for calls that reach the vendor later than
 * others), whatever the workers do, while a steady demand uses `s × points` per interval.
 * `s` is chosen from 10 (the design notes' 1/10 sub-windows at 90%) up to 50 (sub-windows of
 * at least 50 ms) to use the most: 100 per 10 s → 31 sub-windows of 3 calls (93%); 1,667
 * per 10 s → 95%; 40 per second → 90%. Under 12 calls per interval: one call per
 * sub-window, fewer sub-windows (a limit of 1 is not supported).
 */
export function sharedBudget(limit: RateLimit): SharedBudget {
  const cap = Math.floor(CAP * limit.requests);
  let best = { s: 0, points: 0 };
  for (let s = 10; s <= 50 && limit.intervalMs / s >= MIN_SUB_WINDOW_MS; s++) {
    const points = Math.floor(cap / (s + 1));
    if (points >= 1 && s * points > best.s * best.points) best = { s, points };
  }
  if (best.s === 0) best = { s: Math.max(1, cap - 1), points: 1 };
  // Rounded up, so an interval never holds more than `s` whole sub-windows (plus the one it starts in).
  const durationMs = Math.max(1, Math.ceil(limit.intervalMs / best.s));
  return {
    points: best.points,
    durationMs,
    worstCase: (Math.ceil(limit.intervalMs / durationMs) + 1) * best.points,
    sustained: (best.s * best.points) / limit.requests,
  };
}
