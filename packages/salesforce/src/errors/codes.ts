import type { CodeInfo, KitCode } from '@syncmodes/connector-kit';

const record = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'record', retryable, meaning, action });
const config = (meaning: string, action: string): CodeInfo => ({ scope: 'config', retryable: false, meaning, action });

/**
 * Every code the Salesforce destination reports besides the kit's (`KIT_CODES`): its
 * definition's `errorCodes`, a closed list (a test scans `src` for codes). Salesforce's own
 * code stays verbatim in the error's `vendorCode`.
 * Salesforce's codes: https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm#statuscode ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */
export const SALESFORCE_CODES = {
  // Values checked before sending, or refused by Salesforce with the code in parentheses.
  value_too_long: record(false, 'A text value is longer than the field allows (STRING_TOO_LONG).', 'Shorten it, or map it to a longer field.'),
  invalid_email: record(false, 'An email field holds a value that is not an email address (INVALID_EMAIL_ADDRESS).', 'Fix the address in the source.'),
  invalid_picklist_value: record(false, 'A restricted picklist field got a value that is not one of its active values (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST).', 'Use one of the values the message lists, or add it to the picklist.'),
  required_field_missing: record(false, 'A create lacks a field Salesforce requires (e.g. LastName, Company) (REQUIRED_FIELD_MISSING).', 'Map a column to the field, or fill it in.'),
  match_field_changed: record(false, 'The record this sync wrote for the row no longer holds the row\'s match field value: it was changed in Salesforce since (a new Email, a merge). Read by its Id, it is neither written nor deleted, and no second record is created.', 'If it is still this person, put the value back in Salesforce or give the row the new one; if it is someone else now, change the row\'s id to sync it as a new record.'),
  converted_lead: record(false, 'The Lead was converted; Salesforce does not allow updating converted Leads (CANNOT_UPDATE_CONVERTED_LEAD).', 'Sync Contacts for converted people.'),
  duplicates_detected: record(false, 'A duplicate rule of the org blocked the write (DUPLICATES_DETECTED).', 'Merge the duplicates in Salesforce, or relax the duplicate rule.'),
  insufficient_access: record(false, 'The integration user may not write that record, or one it refers to (INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY, INSUFFICIENT_ACCESS_OR_READONLY): its profile, permission sets or the sharing of the records withhold it.', 'Grant the integration user access (creating and adding to Campaigns needs the Marketing User checkbox on the user), or sync records it may write.'),
  duplicate_value: record(false, 'A unique field already holds this value on another record (DUPLICATE_VALUE).', 'Fix the value, or merge the two records in Salesforce.'),
  // Refusals a later attempt may overcome (retried first; reported when every retry failed).
  unable_to_lock_row: record(true, 'Another process held a lock on the record or a related one (UNABLE_TO_LOCK_ROW).', 'Run again later.'),
  server_unavailable: record(true, 'Salesforce was temporarily unavailable (SERVER_UNAVAILABLE).', 'Run again later.'),
  unknown_exception: record(true, 'Salesforce failed internally (UNKNOWN_EXCEPTION).', 'Run again later; contact Salesforce support if it persists.'),
  request_running_too_long: record(true, 'Salesforce cut a request that ran too long (REQUEST_RUNNING_TOO_LONG).', 'Run again later, or lower the batch size.'),
  query_timeout: record(true, 'A SOQL lookup timed out (QUERY_TIMEOUT).', 'Run again later; an indexed match field (Email, an external id) helps.'),
  uri_too_long: record(false, 'Salesforce refused a request whose URI was too long (HTTP 414).', 'Report it: lookups should be split to fit.'),
  salesforce_error: record(false, 'Salesforce refused the request with a code this destination does not map (the message and `vendorCode` carry it).', 'Read the message; fix the record or the org setting it names.'),
  // Bulk API 2.0 (large runs).
  bulk_outcome_unknown: record(true, 'A Bulk API job was cut before its outcome was known.', 'Nothing: the records are sent again, or looked up first on the next run.'),
  bulk_result_missing: record(true, 'A Bulk API job returned no result for the record.', 'Nothing: it is sent again, or looked up first on the next run.'),
  bulk_unprocessed: record(true, 'A Bulk API job ended (failed or aborted) before processing the record.', 'Nothing: it is sent again.'),
  bulk_timeout: record(true, 'A Bulk API job did not finish within the polling timeout and was aborted.', 'Run again later, or raise the polling timeout.'),
  bulk_query_failed: record(true, 'A Bulk API query job (the lookup of a large run) did not complete.', 'Run again later.'),
  // Configuration, checked before anything is sent.
  unknown_object: config('Salesforce has no such object, or the user cannot see it.', 'Check the object option, and the user’s permissions.'),
  invalid_match_field: config('The match field is not a text field of the object that lookups can filter on.', 'Use Email or an external-id field.'),
  unknown_field: config('A mapped field does not exist on the object.', 'Fix the mapping: use the field’s API name (custom fields end in __c).'),
  read_only_field: config('A mapped field cannot be written (formula, system or read-only field).', 'Remove it from the mapping.'),
} as const satisfies Record<string, CodeInfo>;

/** A code the Salesforce destination reports (its own or the kit's). */
export type SalesforceCode = keyof typeof SALESFORCE_CODES | KitCode;
