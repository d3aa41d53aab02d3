import type { EmulatorResponse, VendorShapes } from '@syncmodes/connector-kit/emulator';

let trace = 0;

/** A fresh `fbtrace_id` (deterministic within a process). */
export function fbtraceId(): string {
  trace += 1;
  return `AEmu${trace.toString(36).padStart(8, '0')}`;
}

/** The fields of a Graph API error (`{error: {...}}`). https://developers.facebook.com/docs/graph-api/guides/error-handling */
export interface GraphErrorFields {
  readonly message: string;
  readonly type?: string;
  readonly code: number;
  readonly error_subcode?: number;
  readonly error_user_title?: string;
  readonly error_user_msg?: string;
  readonly is_transient?: boolean;
}

/** A Graph API error answer: `{error: {message, type, code, error_subcode?, fbtrace_id}}`. */
export function graphError(status: number, fields: GraphErrorFields, headers?: Record<string, string>): EmulatorResponse {
  return { status, headers, body: { error: { type: 'OAuthException', is_transient: false, ...fields, fbtrace_id: fbtraceId() } } };
}

/** (#100) Invalid parameter. */
export const invalidParameter = (message: string): EmulatorResponse => graphError(400, { message: `(#100) ${message}`, code: 100 });

/**
 * An id that names no object — never created, or deleted (a custom audience deleted in Ads
 * Manager or with `DELETE /{audience_id}`): code 100, subcode 33, type `GraphMethodException`,
 * for every method on the id and its edges (`/users` too). Meta's error reference lists
 * "100, subcode 33: Unsupported post request" (and missing access to the ad account as a cause:
 * the answer does not tell them apart); the message is Graph's as integrators observed it on a
 * custom audience's `/users` edge (https://github.com/facebook/facebook-php-business-sdk/issues/422).
 * https://developers.facebook.com/docs/marketing-api/error-reference ,
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/#Deleting
 */
export const objectNotFound = (id: string, method: string): EmulatorResponse =>
  graphError(400, {
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
  });

/** No token on the request (code 104). */
export const tokenRequired = (): EmulatorResponse => graphError(400, { message: 'An access token is required to request this resource.', code: 104 });

/** A token the emulator does not know (code 190). */
export const invalidToken = (): EmulatorResponse =>
  graphError(400, { message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }, { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"' });

/** An expired token (code 190, subcode 463). */
export const expiredToken = (): EmulatorResponse =>
  graphError(
    400,
    { message: 'Error validating access token: Session has expired.', code: 190, error_subcode: 463 },
    { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Error validating access token: Session has expired."' },
  );

/**
 * The refusal to remove people from a small audience. The message and title are as
 * integrators observed them ("Audience Size too low: You cannot remove users from this
 * audience because it will result in a low audience size",
 * https://github.com/grouparoo/grouparoo/pull/1108); the code 200 / subcode 1870047 could
 * not be verified from a Meta source (Meta documents no code for it).
 */
export const lowAudienceSize = (): EmulatorResponse =>
  graphError(400, {
    message: 'Permissions error',
    code: 200,
    error_subcode: 1_870_047,
    error_user_title: 'Audience Size too Low',
    error_user_msg: 'You cannot remove users from this audience because it will result in a low audience size.',
  });

/**
 * The refusal to change the members of an audience flagged for integrity restrictions
 * (`operation_status` 471), exactly as Meta documents it: code 100, subcode 1713230,
 * "Audience Upload Blocked".
 * https://developers.facebook.com/documentation/ads-commerce/marketing-api/reference/custom-audience/users
 */
export const uploadBlocked = (): EmulatorResponse =>
  graphError(400, {
    message: 'Invalid parameter',
    code: 100,
    error_subcode: 1_713_230,
    error_user_title: 'Audience Upload Blocked',
    error_user_msg:
      'Before updating user memberships, you must resolve integrity restrictions on this Data File Custom Audience. Go to Audience Manager to appeal the restrictions or create a new audience with updated data',
  });

/** Custom-audience throttling (code 80003) with the Business Use Case usage header (minutes to wait, rounded). */
export function throttled(retryAfterSec: number, accountId = '1000'): EmulatorResponse {
  const usage = { [accountId]: [{ type: 'custom_audience', call_count: 100, total_cputime: 1, total_time: 1, estimated_time_to_regain_access: Math.round(retryAfterSec / 60) }] };
  return graphError(
    400,
    { message: '(#80003) There have been too many calls to this ad-account. Wait a bit and try again.', code: 80_003, error_subcode: 2_446_079, is_transient: true },
    { 'x-business-use-case-usage': JSON.stringify(usage) },
  );
}

/** How the emulator toolkit's injected faults look from Facebook. */
export const facebookShapes: VendorShapes = {
  rateLimited: (retryAfterSec) => throttled(retryAfterSec),
  serverError: (status) => graphError(status, { message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true }),
  authExpired: () => expiredToken(),
  notFound: (request) => graphError(400, { message: `Unknown path components: ${request.path}`, code: 2500 }),
};

/**
 * The refusal to create or change a customer-list audience while the token's user has not
 * accepted the Custom Audience Terms of Service: code 200, subcode 1870034, "Custom Audience
 * Terms Not Accepted" (Meta's error reference: "You'll need to agree to the Custom Audience
 * terms before you can create or edit an audience or an ad set").
 * https://developers.facebook.com/docs/marketing-api/error-reference ,
 * https://developers.facebook.com/docs/marketing-api/audiences/reference/custom-audience-terms-of-service/
 */
export const termsNotAccepted = (): EmulatorResponse =>
  graphError(400, {
    message: 'Permissions error',
    code: 200,
    error_subcode: 1_870_034,
    error_user_title: 'Custom Audience Terms Not Accepted',
    error_user_msg: "You'll need to agree to the Custom Audience terms before you can create or edit an audience or an ad set.",
  });
