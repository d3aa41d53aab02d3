import type { RateLimitInfo } from '@syncmodes/connector-kit';

/** Something with response headers (a fetch `Headers`, or the SDK's raw response). */
export interface HasHeaders {
  readonly headers?: { get(name: string): string | null } | undefined;
}

/**
 * Reads Intercom's rate-limit headers: `X-RateLimit-Limit` (calls per window),
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds).
 * https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting
 *
 * @returns the info in the kit's units (reset in epoch ms), or `undefined` when a header is missing.
 */
export function rateLimitInfo(response: HasHeaders | undefined): RateLimitInfo | undefined {
  const headers = response?.headers;
  if (!headers || typeof headers.get !== 'function') return undefined;
  const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
  const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
  if (!Number.isFinite(remaining) || !Number.isFinite(reset)) return undefined;
  const limit = Number(headers.get('x-ratelimit-limit') ?? Number.NaN);
  return { remaining, resetAtMs: reset * 1000, limit: Number.isFinite(limit) ? limit : undefined };
}
