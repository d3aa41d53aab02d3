import { AuthError, NotFoundError, RateLimitError, RetryableError, SyncError } from '@syncmodes/connector-kit';

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

/** `Retry-After` in ms (seconds, possibly fractional, or an HTTP date), when present. */
export function retryAfterMs(headers: Record<string, string> | undefined): number | undefined {
  const value = headers?.['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/**
 * Translates an HTTP error answer to a user update into a {@link SyncError}, reading the
 * raw body (the SDK's models drop fields):
 * - 401 / 403 → {@link AuthError}: the run stops (the key is never quoted);
 * - 404 → {@link NotFoundError}: no user with this external_id (per user);
 * - 429 → {@link RateLimitError} with `Retry-After`; per user when the body names a
 *   per-device / per-user limit (`"limit": "Subscription/User Update Per Device"`),
 *   otherwise app-wide (every queued call waits);
 * - 400 naming the tag limit → `tag_limit_exceeded`; other 400 / 409 → `invalid_request` /
 *   `conflict` (per user, not retryable);
 * - 5xx → retryable `server_error`.
 * https://documentation.onesignal.com/reference/rate-limits ,
 * https://documentation.onesignal.com/reference/update-user
 */
export function mapApiError(error: ApiExceptionLike, raw: string | undefined): MappedError {
  const status = error.code;
  const { titles, limit } = errorTitles(raw);
  const said = titles.length > 0 ? `: ${titles.join('; ')}` : '';
  if (status === 401 || status === 403) {
    return {
      error: new AuthError(`OneSignal refused the REST API key (HTTP ${status}). Check ONESIGNAL_REST_API_KEY and the app id.`, { status }),
      perUser: false,
    };
  }
  if (status === 404) return { error: new NotFoundError('No OneSignal user has this external_id in the app.', { status }), perUser: true };
  if (status === 429) {
    const perUser = limit !== undefined && /per (device|user|subscription)/i.test(limit);
    const scope = perUser ? 'for this user' : 'for the app';
    return {
      error: new RateLimitError(`OneSignal rate limit reached ${scope}${limit ? ` (${limit})` : ''}.`, retryAfterMs(error.headers), { status }),
      perUser,
    };
  }
  if (status >= 500) return { error: new RetryableError('server_error', `OneSignal answered HTTP ${status}${said}.`, { status }), perUser: false };
  if (status === 400 && titles.some((t) => /tag/i.test(t) && /limit/i.test(t))) {
    return { error: new SyncError('tag_limit_exceeded', `OneSignal refused the tags${said}.`, { status }), perUser: true };
  }
  if (status === 409) return { error: new SyncError('conflict', `OneSignal refused the update${said}.`, { status }), perUser: true };
  if (status >= 400 && status < 500) return { error: new SyncError('invalid_request', `OneSignal refused the update (HTTP ${status})${said}.`, { status }), perUser: true };
  return { error: new SyncError(`http_${status}`, `OneSignal answered HTTP ${status}${said}.`, { status }), perUser: false };
}
