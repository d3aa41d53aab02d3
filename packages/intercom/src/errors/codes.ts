import type { CodeInfo, KitCode } from '@syncmodes/connector-kit';

const record = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'record', retryable, meaning, action });
const config = (meaning: string, action: string): CodeInfo => ({ scope: 'config', retryable: false, meaning, action });

/**
 * Every code the Intercom destination reports besides the kit's (`KIT_CODES`): its
 * definition's `errorCodes`, a closed list (a test scans `src` for codes). Intercom's own
 * code stays verbatim in the error's `vendorCode`.
 * Intercom's codes: https://developers.intercom.com/docs/references/rest-api/errors/error-codes/
 */
export const INTERCOM_CODES = {
  invalid_request: record(false, 'Intercom refused the request: a parameter it needs is missing (parameter_not_found).', 'Read the message; report it if the record looks right.'),
  conflict: record(false, 'Intercom refused the write as conflicting with another contact (conflict).', 'Check for a contact with the same email or external_id in Intercom; merge the two.'),
  lead_converted: record(false, 'A record that left the source: the lead this sync created is now a user with an external_id this sync never wrote (Intercom converted it when the person signed up, or another sync gave it a user id); kept as it is, neither archived nor deleted, and no longer tracked.', 'Nothing: it is someone\'s user record now. Delete it in Intercom if that person left too.'),
  match_field_changed: record(false, 'The contact this sync wrote for the record no longer holds its external_id or email (changed in Intercom since): nothing is written to it and no second contact is created; one whose record left the source is kept as it is and no longer tracked.', "If it is still this person, put the value back in Intercom or give the row the new one; if it is someone else now, change the row's id; if that person left, delete the contact in Intercom."),
  restore_failed: record(false, 'Intercom holds an archived or permanently deleted contact with these details and would not unarchive it.', 'Change the external_id or email, or restore the contact in Intercom (a permanently deleted user cannot be created again).'),
  invalid_email: record(false, 'An email holds invisible characters (zero-width space, soft hyphen, byte order mark) or a mailto: prefix: Intercom would keep them, and no search for the address would find the contact.', 'Clean the address in the source.'),
  required_field_missing: record(false, 'A row empties unsubscribed_from_emails, which this sync wrote before: sent, the empty value would subscribe the contact to emails again (Intercom keeps true or false).', 'Give the column true or false in the source, or stop mapping it; nothing was written for the row.'),
  intercom_error: record(false, 'Intercom refused the request with a code this destination does not map (the message and `vendorCode` carry it).', 'Read the message; fix the record or the workspace setting it names.'),
  unknown_field: config('A mapped target is neither a standard contact field nor custom_attributes.<name>.', 'Map to a field the message lists, or to custom_attributes.<name>.'),
  unknown_custom_attribute: config('A mapped custom attribute does not exist in the workspace (and the configuration does not create it).', 'Create it in Intercom (Settings → Data → People), or run with customAttributes=create.'),
  // Intercom's create-data-attribute answer (2.14 description's example): "Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens"
  invalid_attribute_name: config(
    'A custom attribute the run would create has a name Intercom refuses (letters, digits, currency symbols, spaces, hyphens and underscores only; no dots).',
    'Rename the target (custom_attributes.<name>) in the mapping; nothing was created.',
  ),
  read_only_field: config('A mapped custom attribute cannot be written through the API.', 'Remove it from the mapping.'),
} as const satisfies Record<string, CodeInfo>;

/** A code the Intercom destination reports (its own or the kit's). */
export type IntercomCode = keyof typeof INTERCOM_CODES | KitCode;
