import { AuthError, NotFoundError, QuotaExceededError, RateLimitError, RetryableError, SyncError } from './sync-error';

/** What a connector knows about a failed HTTP answer of its vendor. */
export interface HttpFailure {
  /** HTTP status. */
  readonly status: number;
  /** The vendor's name for messages ("Intercom"). */
  readonly vendor: string;
  /** What was asked, for messages ("the contact update"). */
  readonly what: string;
  /** The vendor's own error code, verbatim (kept as `vendorCode`). */
  readonly vendorCode?: string | undefined;
  /** The vendor's own message (never holding credentials). */
  readonly vendorMessage?: string | undefined;
  /** For rate limits: how long the vendor asked to wait, ms (`Retry-After`, a reset header). */
  readonly retryAfterMs?: number | undefined;
  /** The vendor says the credentials were refused, whatever the status (e.g. a 403 `token_*` code). */
  readonly auth?: boolean | undefined;
  /** The vendor's quota for the run is spent (e.g. Salesforce's daily allocation): stops the run. */
  readonly quota?: boolean | undefined;
  /** A rate limit signalled without 429 (e.g. Salesforce's concurrent-request limit). */
  readonly rateLimited?: boolean | undefined;
  /** The addressed record does not exist (the kit plans it again as not found). */
  readonly notFound?: boolean | undefined;
  /** Our stable snake_case code for any other refusal (default: the vendor code in snake_case, else `http_<status>`). */
  readonly code?: string | undefined;
  /** The environment variable holding the credential, named in an auth failure's message. */
  readonly credentialEnv?: string | undefined;
  /** What else an auth failure may mean, appended to its message (e.g. a token without a permission the run needs). */
  readonly authHint?: string | undefined;
}

const snake = (code: string) =>
  code
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();

/**
 * The one ladder from a vendor's HTTP failure to the kit's error classes, used by every
 * connector:
 *
 * | answer | error | the run |
 * |---|---|---|
 * | 401, or `auth` | {@link AuthError} `authentication_failed` | stops |
 * | `quota` | {@link QuotaExceededError} `quota_exceeded` | stops |
 * | 429, or `rateLimited` | {@link RateLimitError} `rate_limited` (waits `retryAfterMs`) | goes on |
 * | 408, 5xx | {@link RetryableError} `server_error` | retried |
 * | `notFound` | {@link NotFoundError} `not_found` | the record is planned again |
 * | any other | {@link SyncError} (`code`, or the vendor code in snake_case, or `http_<status>`) | the record fails |
 *
 * Messages name the vendor, what was asked, the status and the vendor's code and message —
 * never credentials.
 */
export function httpError(failure: HttpFailure, cause?: unknown): SyncError {
  const { status, vendor, what, vendorCode } = failure;
  const detail = [vendorCode, failure.vendorMessage].filter(Boolean).join(': ');
  const about = `${vendor} answered HTTP ${status} to ${what}${detail ? ` (${detail})` : ''}`;
  const options = { status, ...(vendorCode ? { vendorCode } : {}), ...(cause === undefined ? {} : { cause }) };
  if (failure.auth || status === 401) {
    const check = failure.credentialEnv ? ` Check ${failure.credentialEnv} and run again.` : ' Check the credentials and run again.';
    const hint = failure.authHint ? ` ${failure.authHint}` : '';
    return new AuthError(`${vendor} refused the credentials: ${about}.${check}${hint}`, options);
  }
  if (failure.quota) return new QuotaExceededError(`${vendor}'s quota is spent: ${about}. The next run continues where this one stopped.`, options);
  if (status === 429 || failure.rateLimited) return new RateLimitError(`${vendor} rate limit reached: ${about}.`, failure.retryAfterMs, options);
  if (status === 408 || status >= 500) return new RetryableError('server_error', `${about}.`, options);
  if (failure.notFound) return new NotFoundError(`${about}.`, options);
  const code = failure.code ?? (vendorCode ? snake(vendorCode) : `http_${status}`);
  return new SyncError(code || `http_${status}`, `${about}.`, options);
}
