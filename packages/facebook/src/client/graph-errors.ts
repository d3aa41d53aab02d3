import { AuthError, RetryableError, SyncError, httpError, parseRetryAfter, redactText, toSyncError } from '@syncmodes/connector-kit';
import type { FacebookCode } from '../errors/codes';

/** The `error` object of a Graph API error answer. */
export interface GraphErrorBody {
  readonly message?: string;
  readonly type?: string;
  readonly code?: number;
  readonly error_subcode?: number;
  readonly error_user_title?: string;
  readonly error_user_msg?: string;
  readonly is_transient?: boolean;
  readonly fbtrace_id?: string;
}

/** Graph codes that mean "slow down" (app, user, page and Business Use Case limits). https://developers.facebook.com/docs/marketing-api/overview/rate-limiting */
const THROTTLING_CODES = new Set([4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006, 80008, 80009, 80014]);
/** Graph codes for a missing, refused or expired token (190, with subcodes such as 463 expired / 460 password changed; 102 session; 104 no token). */
const TOKEN_CODES = new Set([102, 104, 190]);
/** Graph codes for a token lacking a permission on the account (10, 200, 294): nothing else would work either. */
const PERMISSION_CODES = new Set([10, 200, 294]);

/**
 * Code 200 / subcode 1870047: removal refused because the audience would become too small.
 * Not verified from a Meta source (Meta documents no code for it); the refusal is also
 * recognised by its observed title "Audience Size too low"
 * (https://github.com/grouparoo/grouparoo/pull/1108).
 */
export const LOW_AUDIENCE_SIZE_SUBCODE = 1_870_047;

/**
 * Code 100 / subcode 1713230 "Audience Upload Blocked": the audience is flagged for
 * integrity restrictions (`operation_status` 471) and its members cannot change.
 * https://developers.facebook.com/documentation/ads-commerce/marketing-api/reference/custom-audience/users
 */
export const UPLOAD_BLOCKED_SUBCODE = 1_713_230;

/**
 * Code 200 / subcode 1870034 "Custom Audience Terms Not Accepted": the token's user has not
 * accepted the Custom Audience Terms of Service (per user and business). Older answers say
 * it with code 2655 or 2663, "Terms of service has not been accepted"
 * (https://github.com/facebook/facebook-php-business-sdk/issues/43).
 * https://developers.facebook.com/docs/marketing-api/error-reference ,
 * https://developers.facebook.com/docs/marketing-api/audiences/reference/custom-audience-terms-of-service/
 */
export const TERMS_NOT_ACCEPTED_SUBCODE = 1_870_034;
const TERMS_CODES = new Set([2655, 2663]);

/** True for Meta's refusal because the Custom Audience Terms of Service are not accepted. */
function termsNotAccepted(body: GraphErrorBody): boolean {
  if (body.code === 200 && body.error_subcode === TERMS_NOT_ACCEPTED_SUBCODE) return true;
  if (body.code !== undefined && TERMS_CODES.has(body.code)) return true;
  return /custom audience terms not accepted|terms of service has not been accepted/i.test(`${body.error_user_title ?? ''} ${body.message ?? ''}`);
}

/** Where the token's user accepts the Custom Audience Terms of Service for an ad account (`act_123` or `123`). */
export function termsUrl(adAccountId: string | undefined): string {
  const digits = adAccountId?.replace(/^act_/, '');
  return `https://business.facebook.com/ads/manage/customaudiences/tos/?act=${digits && /^\d+$/.test(digits) ? digits : '<ad account number>'}`;
}

/**
 * Code 100 / subcode 33: "Unsupported post request. Object with ID '…' does not exist, cannot
 * be loaded due to missing permissions, or does not support this operation. Please read the
 * Graph API documentation at https://developers.facebook.com/docs/graph-api" (type
 * `GraphMethodException`; "Unsupported delete request" for a removal) — how Graph answers a
 * custom audience's `/users` edge once the audience is deleted, and also when the token cannot
 * reach it (Meta's error reference names "100, subcode 33" and a system user missing from the
 * ad account that owns the audience; observed answer:
 * https://github.com/facebook/facebook-php-business-sdk/issues/422).
 * https://developers.facebook.com/docs/marketing-api/error-reference
 */
export const OBJECT_MISSING_SUBCODE = 33;

/** Our code for an audience Meta says does not exist or cannot be reached (100 / 33 on its `/users` edge), before we know which. */
export const AUDIENCE_UNREACHABLE: FacebookCode = 'audience_unreachable';

/**
 * Graph answered 100 / 33 on an audience's `/users` edge: the audience was deleted, or this
 * token cannot reach it — the answer does not say which (see {@link OBJECT_MISSING_SUBCODE}).
 * Code `audience_unreachable`, not retryable; `sendMembers` tells the two apart by listing the
 * ad account's audiences.
 */
export class AudienceUnreachableError extends SyncError {
  constructor(
    readonly audienceId: string,
    message: string,
    options: { readonly status?: number } = {},
  ) {
    super(AUDIENCE_UNREACHABLE, message, { ...options, vendorCode: '100', retryable: false });
  }
}

/** Our code for Meta's "Audience Upload Blocked". */
export const AUDIENCE_UPLOAD_BLOCKED: FacebookCode = 'audience_upload_blocked';

/** Our code for Meta's low-audience-size refusal. */
export const LOW_AUDIENCE_SIZE: FacebookCode = 'low_audience_size';

interface SdkErrorLike {
  readonly name?: string;
  readonly status?: number | null;
  readonly response?: unknown;
  readonly headers?: Record<string, unknown> | null;
}

/** Milliseconds until Meta says the account may call again (`x-business-use-case-usage` … `estimated_time_to_regain_access`, minutes), when it says so. */
export function regainAccessMs(headers: Record<string, unknown> | null | undefined): number | undefined {
  const raw = headers?.['x-business-use-case-usage'];
  if (typeof raw !== 'string') return undefined;
  try {
    const usage = JSON.parse(raw) as Record<string, { estimated_time_to_regain_access?: number }[]>;
    const minutes = Math.max(0, ...Object.values(usage).flat().map((u) => u.estimated_time_to_regain_access ?? 0));
    return minutes > 0 ? minutes * 60_000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How long a throttled answer asks to wait, ms: Meta's estimate (`x-business-use-case-usage`
 * … `estimated_time_to_regain_access`, see {@link regainAccessMs};
 * https://developers.facebook.com/docs/marketing-api/overview/rate-limiting), or a standard
 * `Retry-After` (seconds or an HTTP-date, https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3:
 * what a 429 from a gateway in front of the Graph API carries), the longer when both come;
 * `undefined` when neither says (the kit then backs off, bounded by the run's maximum wait).
 */
export function throttleWaitMs(headers: Record<string, unknown> | null | undefined, now: number = Date.now()): number | undefined {
  const regain = regainAccessMs(headers);
  const header = headers?.['retry-after'];
  const retryAfter = typeof header === 'string' ? parseRetryAfter(header, now) : typeof header === 'number' ? header * 1000 : undefined;
  if (regain === undefined) return retryAfter;
  return retryAfter === undefined ? regain : Math.max(regain, retryAfter);
}

function describe(body: GraphErrorBody): string {
  const ids = [`code ${body.code ?? '?'}`, body.error_subcode ? `subcode ${body.error_subcode}` : '', body.fbtrace_id ? `fbtrace_id ${body.fbtrace_id}` : ''].filter(Boolean).join(', ');
  const text = [body.message, body.error_user_msg].filter(Boolean).join(' — ');
  return `${text || 'Graph API error'} (${ids})`;
}

/**
 * Turns anything the SDK throws into a {@link SyncError} (`usersOf`: the audience id when the
 * request went to its `/users` edge), from the Graph error body only
 * (`message`, `type`, `code`, `error_subcode`, `fbtrace_id`): never from the SDK error's
 * `url`, which carries the access token, and every secret is scrubbed from the text.
 *
 * - 190 / 102 / 104 → {@link AuthError} `authentication_failed` (stops the run), through the
 *   kit's `httpError` like the other classes below; 10 / 200 / 294 → `AuthError` `permission_denied`;
 * - 200 / 1870047 (or the title "Audience Size too low") → `low_audience_size` (the removal verb defers its members);
 * - 200 / 1870034, 2655 or 2663 (Custom Audience Terms of Service not accepted) → `AuthError`
 *   `terms_not_accepted` (stops the run), naming where to accept them for `adAccountId`;
 * - 100 / 1713230 → `audience_upload_blocked` (the chunk's members fail, not retried);
 * - 100 / 33 on an audience's `/users` edge (`usersOf` given) → {@link AudienceUnreachableError}
 *   `audience_unreachable` (deleted, or not reachable with this token);
 * - 4, 17, 32, 613, 800xx, and HTTP 429 → {@link RateLimitError} (wait from
 *   `x-business-use-case-usage` or `Retry-After`: {@link throttleWaitMs}), also when Meta
 *   marks the throttling `is_transient` (80003 does): waiting what Meta says, not retrying
 *   after a short backoff;
 * - 1, 2, `is_transient`, no answer → {@link RetryableError}; HTTP 5xx → retryable `server_error`;
 * - anything else → a non-retryable `graph_error` (e.g. 100 invalid parameter).
 *
 * https://developers.facebook.com/docs/marketing-api/error-reference
 */
export function toGraphError(thrown: unknown, secrets: readonly string[], adAccountId?: string, usersOf?: string): SyncError {
  if (thrown instanceof SyncError) return thrown;
  const e = thrown as SdkErrorLike;
  if (e?.name !== 'FacebookRequestError') {
    const error = toSyncError(thrown);
    return new SyncError(error.code, redactText(error.message, secrets), { retryable: error.retryable });
  }
  const body = (e.response && typeof e.response === 'object' ? e.response : {}) as GraphErrorBody;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const options = { ...(status === undefined ? {} : { status }), ...(body.code === undefined ? {} : { vendorCode: String(body.code) }) };
  const text = redactText(describe(body), secrets);
  if (status === undefined && e.response == null) {
    return new RetryableError('network_error', 'No answer from Facebook (the connection failed or was cut).');
  }
  const code = body.code ?? -1;
  if (code === 100 && body.error_subcode === OBJECT_MISSING_SUBCODE && usersOf !== undefined) {
    return new AudienceUnreachableError(usersOf, `Facebook answered that audience ${usersOf} does not exist or that this token cannot reach it: ${text}.`, status === undefined ? {} : { status });
  }
  if (code === 100 && body.error_subcode === UPLOAD_BLOCKED_SUBCODE) {
    return new SyncError(AUDIENCE_UPLOAD_BLOCKED, `Facebook blocks changes to this audience until its integrity restrictions are resolved in Audience Manager: ${text}.`, options);
  }
  if (code === 200 && (body.error_subcode === LOW_AUDIENCE_SIZE_SUBCODE || /audience size too low/i.test(`${body.error_user_title ?? ''} ${body.message ?? ''}`))) {
    return new SyncError(LOW_AUDIENCE_SIZE, `Facebook refused the removal: ${text}.`, { ...options, retryable: true });
  }
  if (termsNotAccepted(body)) {
    return new AuthError(
      `The access token's user has not accepted the Custom Audience Terms of Service for this ad account's business, so Facebook refuses to create or change audiences: ${text}. Accept them as that user (a system user too) at ${termsUrl(adAccountId)}, then run again.`,
      { ...options, code: 'terms_not_accepted' },
    );
  }
  if (PERMISSION_CODES.has(code)) {
    return new AuthError(`The access token lacks a permission on the ad account: ${text}.`, { ...options, code: 'permission_denied' });
  }
  const throttled = THROTTLING_CODES.has(code) || status === 429;
  if (!throttled && (code === 1 || code === 2 || body.is_transient === true)) {
    return new RetryableError('facebook_unavailable', `Facebook had a temporary problem: ${text}.`, options);
  }
  // Graph answers most errors 400 and says what they are by code: the codes decide auth and
  // throttling; the kit's one ladder (httpError) decides the class.
  return httpError({
    status: status ?? 400,
    vendor: 'Facebook',
    what: 'the Marketing API request',
    vendorCode: String(code),
    vendorMessage: text,
    auth: TOKEN_CODES.has(code),
    rateLimited: throttled,
    retryAfterMs: throttled ? throttleWaitMs(e.headers) : undefined,
    code: 'graph_error',
    credentialEnv: 'FACEBOOK_ACCESS_TOKEN (a token with ads_management; the next run sends what is pending)',
  });
}
