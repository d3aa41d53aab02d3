import { AuthError, RateLimitError, httpError, parseRetryAfter, type HttpFailure, type SyncError } from '@syncmodes/connector-kit';
import type { OneSignalCode } from '../errors/codes';

/** A failed request, translated: the error, and whether it concerns this user only. */
export interface MappedError {
  readonly error: SyncError;
  /** True when only this user is affected (report it on the record); false: the call failed (throw it). */
  readonly perUser: boolean;
}

interface ApiExceptionLike {
  readonly code: number;
  readonly headers?: Record<string, string> | undefined;
}

/** Whether `thrown` is the SDK's `ApiException` (an HTTP answer with a status). */
export function isApiException(thrown: unknown): thrown is ApiExceptionLike {
  return typeof thrown === 'object' && thrown !== null && typeof (thrown as { code?: unknown }).code === 'number' && 'body' in thrown;
}

/** The `errors` texts of a OneSignal error body: `{"errors": ["…"]}` or `{"errors": [{"title": "…"}]}`. */
export function errorTitles(raw: string | undefined): { titles: string[]; limit?: string } {
  if (!raw) return { titles: [] };
  try {
    const body = JSON.parse(raw) as { errors?: unknown; limit?: unknown };
    const list = Array.isArray(body.errors) ? body.errors : body.errors === undefined ? [] : [body.errors];
    const titles = list
      .map((e) => (typeof e === 'string' ? e : typeof e === 'object' && e !== null ? String((e as { title?: unknown }).title ?? (e as { code?: unknown }).code ?? '') : ''))
      .filter((t) => t !== '');
    return { titles, ...(typeof body.limit === 'string' ? { limit: body.limit } : {}) };
  } catch {
    return { titles: [] };
  }
}

/** `Retry-After` in ms (seconds, possibly fractional, or an HTTP date: the kit's `parseRetryAfter`), when present. */
export function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  return parseRetryAfter(headers?.['retry-after']);
}

/** What a failed request was, for messages. */
export interface RequestAbout {
  /** What was asked ("updating a user"). */
  readonly what: string;
  /** The app id the request addressed (named in auth failures: a key works for its own app only). */
  readonly appId: string;
}

/**
 * Translates an HTTP error answer into a {@link SyncError} with the kit's one status ladder
 * (`httpError`), reading the raw body (the SDK's models drop fields):
 * - 401, and 403 (OneSignal's answer to an invalid key, a key of another app, and an app id
 *   the key does not belong to — one answer for all three) → {@link AuthError}
 *   `authentication_failed`: the run stops (the key is never quoted);
 * - 404 → {@link NotFoundError}: no user with this alias (per user);
 * - 429 → {@link RateLimitError} with `Retry-After`; per user when the body names a
 *   per-device / per-user limit (`"limit": "Subscription/User Update Per Device"`),
 *   otherwise app-wide (every queued call waits);
 * - 400 naming the tag limit → `tag_limit_exceeded`; other 400 / 409 → `invalid_request` /
 *   `conflict` (per user, not retryable);
 * - 408, 5xx → retryable `server_error`.
 * https://documentation.onesignal.com/reference/rate-limits ,
 * https://documentation.onesignal.com/reference/update-user ,
 * https://documentation.onesignal.com/docs/en/keys-and-ids#api-keys
 */
export function mapApiError(error: ApiExceptionLike, raw: string | undefined, about: RequestAbout): MappedError {
  const status = error.code;
  const { titles, limit } = errorTitles(raw);
  const code: OneSignalCode | undefined = status === 409 ? 'conflict' : status === 400 && titles.some((t) => /tag/i.test(t) && /limit/i.test(t)) ? 'tag_limit_exceeded' : status >= 400 && status < 500 ? 'invalid_request' : undefined;
  const failure: HttpFailure = {
    status,
    vendor: 'OneSignal',
    what: status === 403 ? `${about.what} of app ${about.appId}` : about.what,
    vendorMessage: titles.join('; ') || undefined,
    retryAfterMs: retryAfterMs(error.headers),
    auth: status === 403,
    notFound: status === 404,
    credentialEnv: status === 403 ? 'ONESIGNAL_REST_API_KEY and the appId option (a key is valid for its own app only)' : 'ONESIGNAL_REST_API_KEY',
    code,
  };
  const mapped = httpError(failure);
  if (status === 429) {
    const perUser = limit !== undefined && /per (device|user|subscription)/i.test(limit);
    return { error: perUser ? new RateLimitError(`${mapped.message.replace(/\.$/, '')} for this user (${limit}).`, (mapped as RateLimitError).retryAfterMs, { status }) : mapped, perUser };
  }
  return { error: mapped, perUser: !(mapped.retryable || mapped instanceof AuthError) };
}
