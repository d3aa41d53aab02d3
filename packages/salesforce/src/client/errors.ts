import { AuthError, RetryableError, SyncError, httpError, parseRetryAfter } from '@syncmodes/connector-kit';
import type { SalesforceCode } from '../errors/codes';

/**
 * Salesforce error codes (`errorCode` / `statusCode`) a retry can fix.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode
 */
const RETRYABLE_CODES = new Set(['UNABLE_TO_LOCK_ROW', 'SERVER_UNAVAILABLE', 'UNKNOWN_EXCEPTION', 'REQUEST_RUNNING_TOO_LONG', 'QUERY_TIMEOUT']);

/**
 * Our stable codes for Salesforce's codes; any other becomes `salesforce_error` (Salesforce's
 * code stays in `vendorCode`), so the codes are a closed list (`SALESFORCE_CODES`).
 */
const CODE_NAMES: Record<string, SalesforceCode> = {
  STRING_TOO_LONG: 'value_too_long',
  INVALID_EMAIL_ADDRESS: 'invalid_email',
  REQUIRED_FIELD_MISSING: 'required_field_missing',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: 'invalid_picklist_value',
  CANNOT_UPDATE_CONVERTED_LEAD: 'converted_lead',
  DUPLICATES_DETECTED: 'duplicates_detected',
  DUPLICATE_VALUE: 'duplicate_value',
  // Permissions, not the data: the advice differs (fresh trial 144, F4: a campaign the user may not create was "a bad group name").
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: 'insufficient_access',
  INSUFFICIENT_ACCESS_OR_READONLY: 'insufficient_access',
  // An upsert whose external id several records hold: which one is meant cannot be told.
  DUPLICATE_EXTERNAL_ID: 'ambiguous_match',
  JSON_PARSER_ERROR: 'invalid_value',
  // A resource (a job, an object's describe) that does not exist: the kit's code.
  NOT_FOUND: 'not_found',
  UNABLE_TO_LOCK_ROW: 'unable_to_lock_row',
  SERVER_UNAVAILABLE: 'server_unavailable',
  UNKNOWN_EXCEPTION: 'unknown_exception',
  REQUEST_RUNNING_TOO_LONG: 'request_running_too_long',
  QUERY_TIMEOUT: 'query_timeout',
};

/** Our code for a Salesforce code {@link CODE_NAMES} does not map. */
const UNMAPPED: SalesforceCode = 'salesforce_error';

/** Our code for a Salesforce code (see {@link CODE_NAMES}). */
const codeFor = (vendorCode: string): SalesforceCode => CODE_NAMES[vendorCode] ?? UNMAPPED;

/** OAuth 2.0 token endpoint error codes (RFC 6749 §5.2, Salesforce additions). */
const OAUTH_ERRORS = new Set(['invalid_grant', 'invalid_client', 'invalid_client_id', 'invalid_request', 'unauthorized_client', 'unsupported_grant_type', 'inactive_user', 'inactive_org']);

/** A per-record `errors[]` entry of a Salesforce SaveResult. */
export interface SalesforceSaveError {
  readonly statusCode?: string;
  readonly errorCode?: string;
  readonly message?: string;
  readonly fields?: readonly string[];
  /** A DuplicateError's details (the rule, the records it matched). */
  readonly duplicateResult?: unknown;
}

/**
 * What a duplicate rule's refusal says: the rule and the records it matched, when the
 * DuplicateError carries them (`duplicateResult.matchResults[].matchRecords[].record.Id`;
 * a Bulk API result's `sf__Error` does not), and what to do.
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_objects_duplicateerror.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_duplicaterules.htm
 */
function duplicatesMessage(raw: string, details: unknown): string {
  const result = (details ?? {}) as { duplicateRule?: unknown; matchResults?: { matchRecords?: { record?: { Id?: unknown } }[] }[] };
  const ids = [...new Set((result.matchResults ?? []).flatMap((m) => (m.matchRecords ?? []).map((r) => r.record?.Id)).filter((id): id is string => typeof id === 'string'))];
  const rule = typeof result.duplicateRule === 'string' ? ` (${result.duplicateRule})` : '';
  const matched = ids.length > 0 ? `: it matches ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ` and ${ids.length - 5} more` : ''}` : '';
  return (
    `A duplicate rule of the org${rule} refused this write${matched}; nothing was written (${raw}). ` +
    'If it is the same person, merge the records in Salesforce or change the row to match the existing one; if not, set the rule to let the integration user save (its action Allow without alert, or a bypass for that user).'
  );
}

/** Turns a SaveResult error into a {@link SyncError} (`vendorCode` keeps Salesforce's code). */
export function saveErrorToSyncError(error: SalesforceSaveError): SyncError {
  const vendorCode = error.statusCode ?? error.errorCode ?? 'UNKNOWN';
  const fields = error.fields ?? [];
  let message = `${vendorCode}: ${error.message ?? 'rejected by Salesforce'}${fields.length > 0 ? ` (fields: ${fields.join(', ')})` : ''}`;
  if (vendorCode === 'DUPLICATES_DETECTED') message = duplicatesMessage(message, error.duplicateResult);
  if (vendorCode.startsWith('INSUFFICIENT_ACCESS')) {
    message = `${message}. The integration user lacks access: check its profile, permission sets and the sharing of the records (creating and adding to Campaigns needs the Marketing User checkbox on the user).`;
  }
  if (vendorCode === 'DUPLICATE_EXTERNAL_ID') {
    // An external id matched by several records: nothing is created or updated.
    // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_upsert_patch.htm
    message = `Several Salesforce records hold this ${fields[0] ?? 'external id'} value; nothing was written to any of them. Merge the duplicates in Salesforce, or make the field unique (${message}).`;
  }
  return new SyncError(codeFor(vendorCode), message, {
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

/** What a jsforce request rejected with (`HttpApiError`: `name` and `errorCode` are Salesforce's code). */
interface JsforceError {
  readonly errorCode?: string;
  readonly name?: string;
  readonly message?: string;
}

/** The request a failure answered, for messages: method and path, never the query string (it may hold personal data). */
export interface FailedRequest {
  readonly method: string;
  readonly url: string;
  /** HTTP status of the answer, when one came (jsforce's errors do not carry it). */
  readonly status?: number | undefined;
  /** Headers of the answer (lower-case names), when one came. */
  readonly headers?: Readonly<Record<string, string | undefined>> | undefined;
  /** The per-request timeout, ms (named when a request was cut for taking longer). */
  readonly timeoutMs?: number | undefined;
}

const pathOf = (url: string) => url.replace(/^https?:\/\/[^/]+/, '').replace(/\?.*$/, '');

/**
 * Turns what a jsforce request rejects with into a {@link SyncError}. The HTTP status
 * decides the error class through the kit's one ladder ({@link httpError}); Salesforce's
 * codes only add what the status cannot say:
 * - `INVALID_SESSION_ID` → `auth` ({@link AuthError}, the run stops);
 * - `REQUEST_LIMIT_EXCEEDED` (403): "TotalRequests" (the org's rolling 24-hour allocation) →
 *   `quota` (the run stops at once: it will not recover within the run); any other (the
 *   concurrent long-running requests limit, which clears when fewer than 25 such requests
 *   run) → `rateLimited` with no wait: Salesforce sends no `Retry-After`, so the kit backs off
 *   (1 s, 2 s, 4 s…) and stops the run (`rate_limited`) once the waits would pass the run's
 *   maximum (https://developer.salesforce.com/docs/platform/salesforce-app-limits-cheatsheet/guide/salesforce-app-limits-platform-api.html);
 * - a 429, or any rate limit whose answer carries `Retry-After` (seconds or an HTTP-date:
 *   what a gateway or proxy in front of Salesforce may send, RFC 9110 §10.2.3) → the kit
 *   waits that long, or stops the run when it is longer than the run may wait;
 * - codes a retry can fix (`UNABLE_TO_LOCK_ROW`, `QUERY_TIMEOUT`…) are retryable whatever the status;
 * - a refused OAuth refresh → {@link AuthError}; our per-request timeout → retryable `timeout`.
 * Other network failures are left to the kit (`toSyncError`).
 *
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export function jsforceErrorToSyncError(thrown: unknown, request?: FailedRequest): unknown {
  if (thrown instanceof SyncError) return thrown;
  const e = thrown as JsforceError | undefined;
  const refusal = refreshRefusal(e);
  if (refusal) return refusal;
  if (e?.name === 'UnexpectedResponse') {
    // May have been applied: a create is looked up before it is sent again (the kit's reconcile), a read or an update sent again.
    return new RetryableError('unexpected_response', e.message ?? 'unexpected answer', { status: 200, cause: thrown });
  }
  if (e?.name === 'AbortError' && request?.timeoutMs !== undefined) {
    return new RetryableError('timeout', `Salesforce did not answer ${request.method} ${pathOf(request.url)} within ${request.timeoutMs} ms; the request was cancelled and its connection closed.`, { cause: thrown });
  }
  let code = e?.errorCode;
  if (typeof code !== 'string') return thrown;
  let message = e?.message ?? code;
  const http = /^ERROR_HTTP_(\d{3})$/.exec(code);
  const status = request?.status ?? (http ? Number(http[1]) : 400);
  // A request read as text (Bulk API CSV results) gets Salesforce's JSON error body unparsed.
  const inBody = http && status < 500 ? errorInBody(message) : undefined;
  if (inBody) ({ code, message } = inBody);
  const vendorCode = code;
  if (status < 500 && RETRYABLE_CODES.has(vendorCode)) return new RetryableError(codeFor(vendorCode), `${vendorCode}: ${message}`, { status, vendorCode });
  const limit = vendorCode === 'REQUEST_LIMIT_EXCEEDED';
  return httpError(
    {
      status,
      vendor: 'Salesforce',
      what: request ? `${request.method} ${pathOf(request.url)}` : 'the request',
      vendorCode: /^ERROR_HTTP_/.test(vendorCode) ? undefined : vendorCode,
      vendorMessage: /^ERROR_HTTP_/.test(vendorCode) || /<html/i.test(message) ? undefined : message,
      auth: vendorCode === 'INVALID_SESSION_ID',
      quota: limit && /TotalRequests/i.test(message),
      rateLimited: limit,
      retryAfterMs: parseRetryAfter(request?.headers?.['retry-after']),
      code: status === 414 ? 'uri_too_long' : codeFor(vendorCode),
      credentialEnv: 'SALESFORCE_ACCESS_TOKEN',
    },
    thrown,
  );
}

/** A refresh of the access token that Salesforce refused (jsforce's refresh delegate wraps the cause). */
function refreshRefusal(e: JsforceError | undefined): AuthError | undefined {
  if (!(e instanceof Error)) return undefined;
  const oauth = OAUTH_ERRORS.has(e.name);
  if (!oauth && !/^Unable to refresh session/.test(e.message)) return undefined;
  const why = oauth ? e.name : e.message.replace(/^Unable to refresh session due to: /, '');
  return new AuthError(
    `Salesforce refused the access token and refreshing it did not help (${why}). Check the refresh token and connected app, then run again.`,
    { status: 401, vendorCode: 'INVALID_SESSION_ID' },
  );
}
