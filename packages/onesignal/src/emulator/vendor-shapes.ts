import type { EmulatorResponse, VendorShapes } from '@syncmodes/connector-kit/emulator';

/**
 * OneSignal's error bodies, in the shape of the OpenAPI description (`GenericError`,
 * `RateLimiterError`: `{ "errors": [{ "code"?, "title" }] }`). OneSignal's documentation
 * shows rate-limit errors as plain strings (`{"errors": ["API rate limit exceeded."]}`);
 * the connector reads both.
 * https://documentation.onesignal.com/reference/rate-limits
 */
export function genericError(status: number, title: string, code?: string): EmulatorResponse {
  return { status, body: { errors: [{ ...(code ? { code } : {}), title }] } };
}

/**
 * The per-user limit's `limit` name, as OneSignal sends it in 429 bodies
 * (https://github.com/OneSignal/OneSignal-Flutter-SDK/issues/748).
 */
export const PER_USER_LIMIT = 'Subscription/User Update Per Device';

/**
 * A 429 with `Retry-After` in seconds (whole seconds for the emulator's own limits;
 * injected faults may ask for fractions). Per-user refusals name the limit, as OneSignal
 * does; app-wide ones carry no `limit`.
 */
export function rateLimited(retryAfterSec: number, scope: 'user' | 'app'): EmulatorResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSec) },
    body: { errors: [{ title: 'API rate limit exceeded.' }], ...(scope === 'user' ? { limit: PER_USER_LIMIT } : {}) },
  };
}

/** The vendor shapes the emulator toolkit uses for faults and unknown routes. */
export const oneSignalShapes: VendorShapes = {
  rateLimited: (retryAfterSec) => rateLimited(retryAfterSec, 'app'),
  serverError: (status) => genericError(status, 'Internal server error'),
  authExpired: () => genericError(401, 'Access denied. Please include an "Authorization: Key <YOUR-REST-API-KEY>" header with a valid REST API key.'),
  notFound: (request) => genericError(404, `No route ${request.method} ${request.path}`),
};
