import { AuthError, RateLimitError, RetryableError, SyncError } from '@syncmodes/connector-kit';
import { IntercomError, IntercomTimeoutError } from 'intercom-client';
import { rateLimitInfo } from './rate-limit-headers';

/** The first error of an Intercom `error.list` body, when there is one. */
export function firstError(body: unknown): { code: string; message: string } | undefined {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  const e = errors[0] as { code?: unknown; message?: unknown };
  return { code: typeof e.code === 'string' ? e.code : 'unknown', message: typeof e.message === 'string' ? e.message : '' };
}

/** Our stable codes for Intercom's error codes (others pass through). */
const CODE_NAMES: Record<string, string> = {
  parameter_not_found: 'invalid_request',
  parameter_invalid: 'invalid_value',
  type_mismatch: 'invalid_value',
  not_found: 'not_found',
  conflict: 'conflict',
};

/** Shortest wait for a 429 whose reset is now or past (clock skew), ms. */
const MIN_RATE_LIMIT_WAIT_MS = 250;

/**
 * Turns what the SDK rejects with into a {@link SyncError}. Messages carry Intercom's own
 * code and message and never the token.
 *
 * - 401 (and 403 `token_*` codes) → {@link AuthError}: the run stops;
 * - 429 → {@link RateLimitError} waiting until `X-RateLimit-Reset`;
 * - 408, 5xx, timeouts and network failures → retryable;
 * - anything else → not retryable, `vendorCode` = Intercom's code (e.g. `conflict`).
 *
 * https://developers.intercom.com/docs/references/rest-api/errors/error-codes/
 */
export function toIntercomError(thrown: unknown, what: string): unknown {
  if (thrown instanceof SyncError) return thrown;
  if (thrown instanceof IntercomTimeoutError) return new RetryableError('timeout', `Intercom did not answer ${what} in time.`, { cause: thrown });
  if (!(thrown instanceof IntercomError)) return thrown;
  const status = thrown.statusCode;
  if (status === undefined) {
    return new RetryableError('network_error', `Network failure talking to Intercom (${what}).`, { cause: thrown });
  }
  const first = firstError(thrown.body);
  const vendorCode = first?.code ?? `http_${status}`;
  const detail = `${vendorCode}${first?.message ? `: ${first.message}` : ''}`;
  if (status === 401 || (status === 403 && vendorCode.startsWith('token_'))) {
    return new AuthError(`Intercom refused the access token (${detail}). Check INTERCOM_ACCESS_TOKEN and run again.`, { status, vendorCode });
  }
  if (status === 429) {
    const info = rateLimitInfo(thrown.rawResponse);
    const wait = info ? Math.max(MIN_RATE_LIMIT_WAIT_MS, info.resetAtMs - Date.now()) : undefined;
    return new RateLimitError(`Intercom rate limit reached (${detail}).`, wait, { status, vendorCode });
  }
  if (status === 408 || status >= 500) {
    return new RetryableError('server_error', `Intercom answered HTTP ${status} to ${what} (${detail}).`, { status, vendorCode });
  }
  return new SyncError(CODE_NAMES[vendorCode] ?? vendorCode, `Intercom refused ${what} (HTTP ${status} ${detail}).`, { status, vendorCode });
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
