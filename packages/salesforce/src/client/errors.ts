import { AuthError, QuotaExceededError, RateLimitError, RetryableError, SyncError } from '@syncmodes/connector-kit';

/**
 * Salesforce error codes (`errorCode` / `statusCode`) a retry can fix.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
 */
const RETRYABLE_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'REQUEST_RUNNING_TOO_LONG', 'QUERY_TIMEOUT']);

/** Our stable codes for Salesforce's per-record codes (others become their lowercase form). */
const CODE_NAMES: Record<string, string> = {
  STRING_TOO_LONG: 'value_too_long',
  INVALID_EMAIL_ADDRESS: 'invalid_email',
  REQUIRED_FIELD_MISSING: 'required_field_missing',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'invalid_picklist_value',
  CANNOT_UPDATE_CONVERTED_LEAD: 'converted_lead',
  DUPLICATES_DETECTED: 'duplicates_detected',
  DUPLICATE_VALUE: 'duplicate_value',
  JSON_PARSER_ERROR: 'invalid_value',
};

/** A per-record `errors[]` entry of a Salesforce SaveResult. */
export interface SalesforceSaveError {
  readonly statusCode?: string;
  readonly errorCode?: string;
  readonly message?: string;
  readonly fields?: readonly string[];
}

/** Turns a SaveResult error into a {@link SyncError} (`vendorCode` keeps Salesforce's code). */
export function saveErrorToSyncError(error: SalesforceSaveError): SyncError {
  const vendorCode = error.statusCode ?? error.errorCode ?? 'UNKNOWN';
  const fields = error.fields ?? [];
  const message = `${vendorCode}: ${error.message ?? 'rejected by Salesforce'}${fields.length > 0 ? ` (fields: ${fields.join(', ')})` : ''}`;
  return new SyncError(CODE_NAMES[vendorCode] ?? vendorCode.toLowerCase(), message, {
    retryable: RETRYABLE_CODES.has(vendorCode),
    vendorCode,
    fields,
  });
}

/** Salesforce's error body (`[{ errorCode, message }]`) in raw text, when it is one. */
function errorInBody(text: string): { code: string; message: string } | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as { errorCode?: unknown; message?: unknown } | undefined;
    if (typeof first?.errorCode !== 'string') return undefined;
    return { code: first.errorCode, message: typeof first.message === 'string' ? first.message : first.errorCode };
  } catch {
    return undefined;
  }
}

interface JsforceError {
  readonly errorCode?: string;
  readonly name?: string;
  readonly message?: string;
  readonly data?: unknown;
}

/**
 * Turns what a jsforce request rejects with into a {@link SyncError}:
 * - `INVALID_SESSION_ID` → {@link AuthError} (`authentication_failed`): the run stops;
 * - `REQUEST_LIMIT_EXCEEDED`: "TotalRequests" (the org's daily allocation) → {@link QuotaExceededError}
 *   (the run stops); any other (concurrency) → {@link RateLimitError} (no Retry-After is sent);
 * - `ERROR_HTTP_5xx`, `SERVER_UNAVAILABLE`, `UNKNOWN_EXCEPTION` → retryable;
 * - `ERROR_HTTP_414` → `uri_too_long`; anything else → the Salesforce code, not retryable.
 * Network failures are left to the kit (`toSyncError`).
 *
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export function jsforceErrorToSyncError(thrown: unknown): unknown {
  if (thrown instanceof SyncError) return thrown;
  const e = thrown as JsforceError;
  let code = e?.errorCode;
  if (typeof code !== 'string') return thrown;
  let message = e.message ?? code;
  // A request read as text (Bulk API CSV results) gets Salesforce's JSON error body unparsed.
  // (Only for 4xx answers: a 5xx stays a retryable server error whatever its body says.)
  const inBody = /^ERROR_HTTP_4\d{2}$/.test(code) ? errorInBody(message) : undefined;
  if (inBody) ({ code, message } = inBody);
  if (code === 'INVALID_SESSION_ID') {
    return new AuthError(`Salesforce refused the access token (INVALID_SESSION_ID: ${message}). Get a new token and run again.`, { status: 401, vendorCode: code });
  }
  if (code === 'REQUEST_LIMIT_EXCEEDED') {
    if (/TotalRequests/i.test(message)) {
      return new QuotaExceededError(`Salesforce's daily API request allocation is used up (${message}); the next run continues.`, { status: 403, vendorCode: code });
    }
    return new RateLimitError(`Salesforce limited concurrent requests (${message}).`, undefined, { status: 403, vendorCode: code });
  }
  const http = /^ERROR_HTTP_(\d{3})$/.exec(code);
  if (http) {
    const status = Number(http[1]);
    if (status >= 500 || status === 408) return new RetryableError('server_error', `Salesforce answered HTTP ${status}.`, { status, vendorCode: code });
    if (status === 414) return new SyncError('uri_too_long', 'Salesforce refused a request URI as too long.', { status, vendorCode: code });
    return new SyncError(`http_${status}`, `Salesforce answered HTTP ${status}.`, { status, vendorCode: code });
  }
  if (RETRYABLE_CODES.has(code)) return new RetryableError(code.toLowerCase(), `${code}: ${message}`, { vendorCode: code });
  return new SyncError(CODE_NAMES[code] ?? code.toLowerCase(), `${code}: ${message}`, { vendorCode: code });
}
