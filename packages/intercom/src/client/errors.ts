import { RetryableError, SyncError, httpError, parseRetryAfter } from '@syncmodes/connector-kit';
import { IntercomError, IntercomTimeoutError } from 'intercom-client';
import type { IntercomCode } from '../errors/codes';
import { rateLimitInfo, type HasHeaders } from './rate-limit-headers';

/** The first error of an Intercom `error.list` body, when there is one. */
export function firstError(body: unknown): { code: string; message: string } | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const e = errors[0] as { code?: unknown; message?: unknown };
  // Intercom's code (not ours: `toIntercomError` maps it), `unknown` when the body has none.
  const code = typeof e.code === 'string' ? e.code : 'unknown';
  return { code, message: typeof e.message === 'string' ? e.message : '' };
}

/**
 * Our stable codes for Intercom's error codes; any other becomes `intercom_error`
 * (Intercom's code stays in `vendorCode`), so the codes are a closed list (`INTERCOM_CODES`).
 */
const CODE_NAMES: Record<string, IntercomCode> = {
  parameter_not_found: 'invalid_request',
  parameter_invalid: 'invalid_value',
  type_mismatch: 'invalid_value',
  not_found: 'not_found',
  conflict: 'conflict',
};

/** Our code for an Intercom code {@link CODE_NAMES} does not map. */
const UNMAPPED: IntercomCode = 'intercom_error';

/** Shortest wait for a 429 whose reset is now or past (clock skew), ms. */
const MIN_RATE_LIMIT_WAIT_MS = 250;

/**
 * How long a 429 asks to wait, ms: until `X-RateLimit-Reset` (Intercom's own signal,
 * https://developers.intercom.com/docs/references/rest-api/errors/rate-limiting), or a
 * `Retry-After` (https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3), the longer when
 * both come; `undefined` when neither does (the kit then backs off, bounded by the run's
 * maximum wait).
 */
export function rateLimitWaitMs(response: HasHeaders | undefined, now: number = Date.now()): number | undefined {
  const info = rateLimitInfo(response);
  const reset = info ? Math.max(MIN_RATE_LIMIT_WAIT_MS, info.resetAtMs - now) : undefined;
  const headers = response?.headers;
  const retryAfter = headers && typeof headers.get === 'function' ? parseRetryAfter(headers.get('retry-after'), now) : undefined;
  if (reset === undefined) return retryAfter;
  return retryAfter === undefined ? reset : Math.max(reset, retryAfter);
}

/**
 * Turns what the SDK rejects with into a {@link SyncError}, the HTTP status deciding the
 * class through the kit's one ladder (`httpError`). Messages carry Intercom's own code and
 * message and never the token.
 *
 * - 401 (and 403 `token_*` codes) → {@link AuthError} `authentication_failed`: the run stops;
 * - 429 → {@link RateLimitError} waiting until `X-RateLimit-Reset`, or for a `Retry-After`
 *   (seconds or an HTTP-date, as a gateway in front of Intercom may send: RFC 9110 §10.2.3),
 *   the longer of the two when both come (see {@link rateLimitWaitMs});
 * - 408, 5xx → retryable `server_error`; timeouts → retryable `timeout` (the SDK's own
 *   request timeout included); network failures → retryable `network_error`;
 * - anything else → not retryable, our code for Intercom's (`parameter_invalid` →
 *   `invalid_value`, …; `intercom_error` for a code we do not map), `vendorCode` =
 *   Intercom's code (e.g. `conflict`).
 *
 * https://developers.intercom.com/docs/references/rest-api/errors/error-codes/
 */
export function toIntercomError(thrown: unknown, what: string): unknown {
  if (thrown instanceof SyncError) return thrown;
  if (thrown instanceof IntercomTimeoutError) return new RetryableError('timeout', `Intercom did not answer ${what} in time.`, { cause: thrown });
  if (!(thrown instanceof IntercomError)) return thrown;
  const status = thrown.statusCode;
  if (status === undefined) {
    // The SDK's own request timeout aborts the fetch with the reason "timeout", which it reports as an unknown error with that message.
    if (thrown.message === '"timeout"') return new RetryableError('timeout', `Intercom did not answer ${what} in time.`, { cause: thrown });
    return new RetryableError('network_error', `Network failure talking to Intercom (${what}).`, { cause: thrown });
  }
  const first = firstError(thrown.body);
  const vendorCode = first?.code ?? `http_${status}`;
  return httpError({
    status,
    vendor: 'Intercom',
    what,
    vendorCode,
    vendorMessage: first?.message || undefined,
    auth: status === 403 && vendorCode.startsWith('token_'),
    retryAfterMs: status === 429 ? rateLimitWaitMs(thrown.rawResponse) : undefined,
    code: CODE_NAMES[vendorCode] ?? UNMAPPED,
    credentialEnv: 'INTERCOM_ACCESS_TOKEN',
    // A 403 `token_*` names a token that is valid but may not do this: Intercom's SDKs read it as "incorrect or not authorized
    // to access certain type of data" (fresh trial 144, F4). https://www.rubydoc.info/gems/intercom/Intercom/AuthenticationError
    authHint: status === 403 ? "A 403 can also mean the token works but the app lacks a permission this sync needs (reading and writing users and companies, tags, data attributes): check the app's permissions in Intercom's Developer Hub." : undefined,
  });
}

/** An existing contact a 409 names: `…already exists with id=<id>` ("An archived contact…" when archived). */
export interface ConflictingContact {
  readonly id: string;
  readonly archived: boolean;
}

/**
 * Reads the contact a create's 409 `conflict` points at.
 * Messages: "A contact matching those details already exists with id=…" and
 * "An archived contact matching those details already exists with id=…".
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/createcontact
 */
export function conflictingContact(error: unknown): ConflictingContact | undefined {
  if (!(error instanceof SyncError) || error.status !== 409) return undefined;
  const match = /already exists with id=([A-Za-z0-9]+)/.exec(error.message);
  if (!match?.[1]) return undefined;
  return { id: match[1], archived: /\barchived\b/i.test(error.message) };
}
