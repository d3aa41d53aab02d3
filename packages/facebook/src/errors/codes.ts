import type { CodeInfo, KitCode } from '@syncmodes/connector-kit';

const record = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'record', retryable, meaning, action });
const run = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'run', retryable, meaning, action });
const config = (meaning: string, action: string): CodeInfo => ({ scope: 'config', retryable: false, meaning, action });

/**
 * Every code the Facebook Custom Audiences destination reports besides the kit's
 * (`KIT_CODES`): its definition's `errorCodes`, a closed list (a test scans `src` for
 * codes). The Graph API's numeric code stays in the error's `vendorCode`.
 * Graph API errors: https://developers.facebook.com/docs/marketing-api/error-reference
 */
export const FACEBOOK_CODES = {
  values_sent_empty: run(false, 'A notice: some mapped values could not be normalised as Meta requires and were sent empty; the people were matched by their other identifiers. The notice names the identifier keys and records.', 'Fix those values in the source and run again.'),
  no_valid_identifier: record(false, 'No usable identifier after normalisation (an email, a phone with its country code, a MADID or an EXTERN_ID).', 'Give the record one of them; the message says which were unusable.'),
  invalid_entry: record(false, 'Facebook counted the person’s row as an invalid entry (`invalid_entry_samples`).', 'Check the person’s identifiers in the source.'),
  removal_too_large: record(false, 'A removal needs more query string than Facebook accepts, even for this person alone.', 'Report it: removals are split until they fit.'),
  // https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users (subcode 1713230, operation_status 471)
  audience_upload_blocked: record(false, 'Facebook blocks changes to the audience until its integrity restrictions are resolved (code 100, subcode 1713230 “Audience Upload Blocked”).', 'Resolve the restriction in Audience Manager, then run again.'),
  // Code 200, subcode 1870047 “Audience Size too low” (not in Meta's reference; observed: https://github.com/grouparoo/grouparoo/pull/1108)
  low_audience_size: record(true, 'Facebook refused the removal: the audience would become too small.', 'Nothing: the person stays in the audience and is removed once it is large enough.'),
  // Code 100 / subcode 33 on the audience's /users edge, and the ad account no longer lists it (https://developers.facebook.com/docs/marketing-api/error-reference)
  audience_deleted: record(
    true,
    'The audience no longer exists in the ad account: deleted in Ads Manager (Facebook answered code 100, subcode 33, and the ad account no longer lists it). A removal from it has nothing left to do and is settled; an addition to an audience found by name is skipped and stays pending.',
    'Nothing: the next run creates the audience again under its name and adds everyone in it.',
  ),
  // The same, for an addition to an audience pinned by id (the audience option, or groupIds)
  pinned_audience_deleted: record(
    false,
    'The audience pinned by id (the audience option, or groupIds) no longer exists in the ad account (Facebook answered code 100, subcode 33, and the ad account no longer lists it); a pinned audience is never recreated under another id, so the addition fails.',
    'Pin the id of an existing audience of the ad account, or give a name; the addition is sent again on the next run.',
  ),
  // Code 100 / subcode 33 on the audience's /users edge while the ad account still lists it, or when the listing fails too (https://developers.facebook.com/docs/marketing-api/error-reference)
  audience_unreachable: record(
    false,
    'Facebook answered that the audience does not exist or cannot be loaded with this token (code 100, subcode 33), and the ad account still lists it (the token’s user cannot reach it) or its audiences could not be listed either (the message carries both answers). Not retried in this run, and nothing is settled.',
    'Make the token’s (system) user an admin of the ad account that owns the audience (Business Settings), or check the token still reaches the ad account; the next run sends the change again.',
  ),
  // Codes 1 and 2, or `is_transient`
  facebook_unavailable: record(true, 'Facebook had a temporary problem (Graph code 1 or 2, or an error marked transient).', 'Run again later.'),
  graph_error: record(false, 'Facebook refused the request with another Graph API error (e.g. 100, invalid parameter); the message carries its code and fbtrace_id.', 'Read the message; fix what it names.'),
  // Code 200 / subcode 1870034 “Custom Audience Terms Not Accepted” (https://developers.facebook.com/docs/marketing-api/error-reference); older answers: codes 2655 and 2663, “Terms of service has not been accepted”
  terms_not_accepted: run(
    false,
    'The user (or system user) of the access token has not accepted the Custom Audience Terms of Service for the business of the ad account; Meta refuses to create or change customer-list audiences until then.',
    'Accept them as that user at https://business.facebook.com/ads/manage/customaudiences/tos/?act=<ad account number> (https://developers.facebook.com/docs/marketing-api/audiences/reference/custom-audience-terms-of-service/), then run again: the run sends what is pending.',
  ),
  // Codes 10, 200, 294
  permission_denied: run(false, 'The access token lacks a permission on the ad account (Graph code 10, 200 or 294).', 'Give the token ads_management on the ad account (FACEBOOK_ACCESS_TOKEN).'),
  audience_not_found: config('The configured audience id does not exist, or the token cannot see it.', 'Check the audience option.'),
  audience_in_other_account: config('The configured audience (the audience option, or an id pinned with groupIds) belongs to another ad account than adAccountId; nothing is sent to it.', 'Use an audience of this ad account, or fix adAccountId.'),
  unknown_schema_key: config('A mapped target is not one of Meta’s customer-list schema keys.', 'Map source columns to the keys the message lists (EMAIL, PHONE, FN, …).'),
} as const satisfies Record<string, CodeInfo>;

/** A code the Facebook destination reports (its own or the kit's). */
export type FacebookCode = keyof typeof FACEBOOK_CODES | KitCode;
