import { ConfigError, InputError, isEmailAddress, isScientificNotation, type PropertyValue, type SyncError } from '@syncmodes/connector-kit';
import type { ContactBody } from '../client/intercom-api';
import type { IntercomConnection } from '../client/intercom-connection';
import type { IntercomConfig } from '../config';
import { targetOf, type AttributeType } from '../fields/contact-fields';
import { convertValue, dateOptionsOf } from '../fields/field-values';

/** Standard fields that are match keys (see `contact-keys.ts`): sent trimmed. */
const KEY_FIELDS: ReadonlySet<string> = new Set(['external_id', 'email']);

/**
 * Unicode format characters (zero-width space and joiners, soft hyphen, byte order mark: general
 * category Cf, https://www.unicode.org/reports/tr44/#General_Category_Values), invisible, or a
 * `mailto:` scheme (https://www.rfc-editor.org/rfc/rfc6068) copied with a link.
 */
const NOT_OF_AN_ADDRESS = /\p{Cf}|^\s*mailto:/iu;

/**
 * An email Intercom would store as it is while it is no address anyone searches for: the
 * contact would be created beside the person's own (fresh reviewer 97, F2, found on
 * Facebook; the same rows here), or one that is no address at all (the kit's
 * `isEmailAddress`). `undefined` when it is fine.
 */
function dirtyEmail(email: string, creating: boolean): SyncError | undefined {
  if (NOT_OF_AN_ADDRESS.test(email)) {
    return new InputError('invalid_email', 'email holds invisible characters (a zero-width space, soft hyphen or byte order mark) or a mailto: prefix; clean the address in the source.');
  }
  // Fresh trial 147, F4: `ada@example.com.`, `bob@example.com,`, `carl@example..com`, `dan@exam ple.com` made contacts no
  // search by the address finds. A contact already found (by its external_id) takes the rest of the row, as it did before
  // (fresh reviewer 149, M2: an opt-out or a name was held back by an email Intercom already had).
  if (creating && !isEmailAddress(email)) {
    return new InputError('invalid_email', 'email is not an address (white space, a trailing or doubled dot in the domain, or a character such as , ; < > that an address does not hold): Intercom would keep it as written and no search by the person\'s address would find the contact. Fix it in the source.');
  }
  return undefined;
}

/**
 * What makes a standard field's text unsendable: an email that is no address (`dirtyEmail`),
 * a phone in a spreadsheet's scientific notation (fresh trial 147, F1: `4.479E+11` was written; an external_id so
 * written is refused before any lookup: `refusedContactKey`).
 */
function standardFieldError(name: string, text: string, creating: boolean): SyncError | undefined {
  if (name === 'email') return dirtyEmail(text, creating);
  if (name === 'phone' && isScientificNotation(text)) {
    return new InputError('scientific_notation', "phone is written in a spreadsheet's scientific notation (like 4.479E+11), which keeps only the digits it shows: format the column as text in the spreadsheet and export it again.");
  }
  return undefined;
}

/**
 * Standard fields a blank must not clear: `unsubscribed_from_emails` holds true or false, so
 * a cleared opt-out is "subscribed" (fresh helper 101, F2: an emptied cell re-subscribed
 * contacts, reported updated — Salesforce's `HasOptedOutOfEmail` is refused the same way).
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/updatecontact
 */
const NEVER_CLEARED: ReadonlySet<string> = new Set(['unsubscribed_from_emails']);

function neverCleared(name: string): SyncError {
  return new InputError(
    'required_field_missing',
    `${name} is empty in the source: clearing it would subscribe the contact to emails again, so nothing was written for this row. Give it true or false, or stop mapping the column.`,
    { fields: [name] },
  );
}

/**
 * Turns properties (mapping targets → values) into a contact body: standard fields at the
 * top level, `custom_attributes.<name>` nested, values converted to the attribute's type
 * (dates as epoch seconds); `external_id` and `email` trimmed, as the kit matches them. `null` clears: text attributes are sent as `""` (Intercom
 * clears leads' text attributes only that way; users accept it too), other types as `null`.
 *
 * @returns the body, or the first value that cannot be sent (an error for this record only:
 *   the value's conversion error, `invalid_email` for an email with invisible characters
 *   or a `mailto:` prefix (and, `creating` a contact, for one that is no address at all), or `required_field_missing` for an emptied `unsubscribed_from_emails`).
 */
export function contactBody(
  connection: IntercomConnection,
  config: IntercomConfig,
  properties: Readonly<Record<string, PropertyValue>>,
  options: { readonly creating?: boolean | undefined } = {},
): { readonly body: ContactBody } | { readonly error: SyncError } {
  const body: ContactBody = {};
  for (const [property, value] of Object.entries(properties)) {
    const target = targetOf(property);
    if (!target) throw new ConfigError(`Intercom contacts have no field "${property}".`, 'unknown_field');
    const type: AttributeType | undefined = target.kind === 'standard' ? target.type : connection.attributes.get(target.name);
    if (type === undefined) {
      throw new ConfigError(`Intercom has no data attribute "${target.name}"; it must be created before contacts can carry it.`, 'unknown_custom_attribute');
    }
    let sent: string | number | boolean | null;
    if ((value === null || value === '') && target.kind === 'standard' && NEVER_CLEARED.has(target.name)) return { error: neverCleared(target.name) };
    if (value === null || value === '') sent = type === 'string' ? '' : null;
    else {
      const converted = convertValue(property, type, value, dateOptionsOf(config));
      if (!converted.ok) return { error: converted.error };
      sent = converted.value;
    }
    // The keys are sent as the kit matches them, trimmed: a contact written with ` ext-1 ` would not be found by the next lookup for `ext-1`.
    if (typeof sent === 'string' && target.kind === 'standard' && KEY_FIELDS.has(target.name)) sent = sent.trim();
    const dirty = typeof sent === 'string' && target.kind === 'standard' ? standardFieldError(target.name, sent, options.creating === true) : undefined;
    if (dirty) return { error: dirty };
    if (target.kind === 'standard') body[target.name] = sent;
    else body.custom_attributes = { ...body.custom_attributes, [target.name]: sent };
  }
  return { body };
}

/** The role of a new contact: the `role` option, `auto` meaning a user when the record has an external_id. */
export function roleFor(config: IntercomConfig, properties: Readonly<Record<string, PropertyValue>>): 'user' | 'lead' {
  if (config.role !== 'auto') return config.role;
  const externalId = properties.external_id;
  return externalId !== null && externalId !== undefined && String(externalId).trim() !== '' ? 'user' : 'lead';
}
