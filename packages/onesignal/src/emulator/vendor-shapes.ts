import type { EmulatorResponse, VendorShapes } from '@syncmodes/connector-kit/emulator';

/**
 * A OneSignal error body in the user model's shape, `{ "errors": [{ "code"?, "title" }] }`
 * (the `400` / `404` / `409` examples of the vendor's reference pages).
 * https://documentation.onesignal.com/reference/view-user ,
 * https://documentation.onesignal.com/reference/update-user
 */
export function genericError(status: number, title: string, code?: string): EmulatorResponse {
  return { status, body: { errors: [{ ...(code ? { code } : {}), title }] } };
}

/**
 * The per-user limit's `limit` name, as OneSignal sends it in 429 bodies
 * (https://github.com/OneSignal/OneSignal-Flutter-SDK/issues/748).
 */
export const PER_USER_LIMIT = 'Subscription/User Update Per Device';

/** The app-wide limit's `limit` name (the 429 example of the update-user and view-user reference pages). */
export const APP_LIMIT = 'App ID';

/**
 * A 429 as OneSignal documents it: `{"errors": ["API rate limit exceeded."], "limit": …}` —
 * a list of strings, not error objects — with `Retry-After` in whole seconds (injected
 * faults may ask for fractions). Per-user refusals name the per-user limit, app-wide ones
 * `"App ID"`.
 * https://documentation.onesignal.com/reference/rate-limits ,
 * https://documentation.onesignal.com/reference/update-user (429 example)
 */
export function rateLimited(retryAfterSec: number, scope: 'user' | 'app'): EmulatorResponse {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSec) },
    body: { errors: ['API rate limit exceeded.'], limit: scope === 'user' ? PER_USER_LIMIT : APP_LIMIT },
  };
}

/**
 * The answer to an invalid or mismatched key (a key of another app, or an app id the key
 * does not belong to): 403 with OneSignal's one generic message — note the two spaces
 * after "denied." — as the error catalogue of OneSignal's official SDKs gives it
 * (`OneSignalErrors.INVALID_API_KEY`: "HTTP 403 … the public api.onesignal.com edge returns
 * for any invalid or mismatched key"), a list of strings as in the vendor reference's 403
 * examples.
 * https://github.com/OneSignal/onesignal-node-api (src error catalogue),
 * https://documentation.onesignal.com/reference/view-outcomes (403 example),
 * https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys
 */
export const INVALID_API_KEY =
  "Access denied.  Please include an 'Authorization: ...' header with a valid API key (https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys).";

/** 403 for an invalid or mismatched key (see {@link INVALID_API_KEY}). */
export const accessDenied = (): EmulatorResponse => ({ status: 403, body: { errors: [INVALID_API_KEY] } });

/**
 * 401 for a request without an `Authorization` header, as the view-user and update-user
 * reference pages show it (`auth-1`).
 * https://documentation.onesignal.com/reference/view-user (401 example)
 */
export const authorizationMissing = (): EmulatorResponse =>
  genericError(401, "This operation requires 'Authorization' in the HTTP header", 'auth-1');

/** The vendor shapes the emulator toolkit uses for faults and unknown routes. */
export const oneSignalShapes: VendorShapes = {
  rateLimited: (retryAfterSec) => rateLimited(retryAfterSec, 'app'),
  serverError: (status) => genericError(status, 'Internal server error'),
  authExpired: () => accessDenied(),
  notFound: (request) => genericError(404, `No route ${request.method} ${request.path}`),
};
