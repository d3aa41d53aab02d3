import {
  InputError,
  isScientificNotation,
  isSpreadsheetExponent,
  spreadsheetExponentError,
  toBoolean,
  toCalendarDate,
  toDateTime,
  toExactNumber,
  type Coerced,
  type DateOptions,
  type PropertyValue,
  type SyncError,
} from '@syncmodes/connector-kit';
import { z } from 'zod';
import type { FieldDescribe } from '../client/salesforce-api';
import type { SalesforceConfig } from '../config';
import type { SalesforceCode } from '../errors/codes';

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);
/**
 * An address Salesforce can keep: the WHATWG HTML "valid email address" (zod's `html5Email`: any
 * of ``!#$%&'*+/=?^_`{|}~.-`` and ASCII letters and digits before the `@`, dotted host labels
 * after it), with at least one dot in the domain. zod's default `email` pattern follows Gmail's
 * rules and refused addresses Salesforce accepts (`first&last@`, `a=b@`, an `xn--` top-level
 * domain: fresh reviewer 96, F1; https://github.com/colinhacks/zod/issues/3411). Accented
 * addresses stay refused, as Salesforce refuses them.
 * https://html.spec.whatwg.org/multipage/input.html#valid-e-mail-address
 */
const HTML5_EMAIL = z.regexes.html5Email;
const isEmail = (text: string): boolean => HTML5_EMAIL.test(text) && text.slice(text.indexOf('@') + 1).includes('.');

/** A converted value, or the reason it cannot be sent. */
export type Converted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SyncError };

const bad = (code: SalesforceCode, message: string): Converted => ({ ok: false, error: new InputError(code, message) });

/** How the configuration says dates are written in the source (`dateFormat`, `epochUnit`). */
export function dateOptionsOf(config: Pick<SalesforceConfig, 'dateFormat' | 'epochUnit'>): DateOptions {
  return { format: config.dateFormat, epochUnit: config.epochUnit, strictEpoch: true };
}

/**
 * A clear (an emptied cell) of a field that is never empty in Salesforce: a checkbox, or a
 * required field such as Lead Status. Only nillable fields may be set to null ("you can
 * specify only those fields that you can update and that are nillable",
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_concepts_core_data_objects.htm);
 * sending it cleared the field in the emulator and reported the row updated (fresh reviewer
 * 96, F5), while a real org refuses it or, for a checkbox, may store false — an opt-out lost.
 */
function notNillable(field: FieldDescribe): Converted {
  const what = field.type === 'boolean' ? 'a checkbox is true or false, never empty' : 'Salesforce requires a value';
  return bad('required_field_missing', `${field.name} cannot be emptied (${what}): give it a value in the source, or stop mapping the column.`);
}

function checkText(field: FieldDescribe, text: string): Converted {
  if (field.length > 0 && text.length > field.length) {
    return bad('value_too_long', `${field.name} has ${text.length} characters; Salesforce allows ${field.length}. Shorten it.`);
  }
  if (field.type === 'email' && !isEmail(text)) return bad('invalid_email', `${field.name} is not a valid email address.`);
  if (field.type === 'picklist' && field.restrictedPicklist) return restrictedValue(field, text);
  if (field.type === 'multipicklist' && field.restrictedPicklist) return restrictedValues(field, text);
  return { ok: true, value: text };
}

/**
 * A restricted multi-select picklist's value: its `;`-separated values each checked as a
 * restricted picklist's ({@link restrictedValue}: in the picklist's casing, or refused), blank
 * ones left out (fresh reviewer 102, F6: `red;blue` went out unchecked against `Red`, `Blue`).
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/field_types.htm#i1435616
 */
function restrictedValues(field: FieldDescribe, text: string): Converted {
  const values: string[] = [];
  for (const part of text.split(';').map((v) => v.trim()).filter((v) => v !== '')) {
    const one = restrictedValue(field, part);
    if (!one.ok) return one;
    // The same value twice (`Red;red`) is sent once.
    if (!values.includes(one.value as string)) values.push(one.value as string);
  }
  return { ok: true, value: values.join(';') };
}

/**
 * A restricted picklist's value: an active value, or the one active value it differs from
 * only in letter case, sent as the picklist has it (fresh helper 101, F4: `working -
 * contacted` for Lead Status `Working - Contacted` was refused; sent in the picklist's own
 * casing, it is the value the org holds, whether or not the org would match it regardless of
 * case). Two active values differing only in case: refused, never guessed.
 */
function restrictedValue(field: FieldDescribe, text: string): Converted {
  const active = field.picklistValues.filter((p) => p.active).map((p) => p.value);
  if (active.includes(text)) return { ok: true, value: text };
  const folded = active.filter((v) => v.toLowerCase() === text.toLowerCase());
  if (folded.length === 1) return { ok: true, value: folded[0] as string };
  const which = folded.length > 1 ? ` (${folded.length} of them differ from it only in letter case: give the exact one)` : '';
  return bad('invalid_picklist_value', `${field.name} must be one of: ${active.join(', ')}${which}.`);
}

/** Salesforce's range of dates and date-times: "1700-01-01T00:00:00Z GMT to 4000-12-31T00:00:00Z GMT" (primitive data types). */
const FIRST_DAY = '1700-01-01';
const LAST_DAY = '4000-12-31';

/**
 * A date or date-time (`YYYY-MM-DD…`, as converted) outside Salesforce's range fails here,
 * naming the range, not the value: Salesforce's refusal quoted the value, a birth date
 * (fresh helper 101, F6). https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/primitive_data_types.htm
 */
function inDateRange(field: FieldDescribe, converted: Converted): Converted {
  if (!converted.ok || typeof converted.value !== 'string') return converted;
  const day = converted.value.slice(0, 10);
  // A date-time's last instant is 4000-12-31T00:00:00Z (fresh reviewer 102, F6: 23:00 that day passed).
  const lastTime = converted.value.length > 10 && day === LAST_DAY && /[1-9]/.test(converted.value.slice(11));
  if (day >= FIRST_DAY && day <= LAST_DAY && !lastTime) return converted;
  return bad('invalid_date', `${field.name} is outside the dates Salesforce accepts (${FIRST_DAY} to ${LAST_DAY}); check the year in the source.`);
}

/**
 * A number with more decimals than the field keeps (its `scale`) fails `number_not_exact`:
 * Salesforce would store it rounded (fresh reviewer 148, M2: a Number(18, 0) field describes as
 * `double`, and `1.5` or `1.000` from a European file went in as 2 or 1).
 */
function withinScale(field: FieldDescribe, converted: Coerced<number>): Coerced<number> {
  if (!converted.ok || field.scale === undefined || field.scale === 0 || Number(converted.value.toFixed(field.scale)) === converted.value) return converted;
  return { ok: false, error: new InputError('number_not_exact', `${field.name} keeps ${field.scale} decimal place(s); this value has more, and Salesforce would store it rounded. Round it in the source, or map it to a field with more decimals.`) };
}

/**
 * Converts a source value for a Salesforce field, checking it the way Salesforce will.
 * Dates, numbers and booleans go through the kit's value coercion (no time-zone shift, no
 * rounding):
 * - `null` clears the field;
 * - text types: trimmed (as Salesforce saves them), then length ≤ the field's length
 *   (`value_too_long`), emails well formed (`invalid_email`), restricted picklists hold an
 *   active value, sent in the picklist's casing (`invalid_picklist_value`);
 * - `date`: `YYYY-MM-DD` from `dateFormat` (date-fns tokens) or ISO text, an ISO
 *   date-time's day, or epoch seconds / milliseconds (`invalid_date`; see the kit's
 *   `toCalendarDate`), from 1700-01-01 to 4000-12-31 (`invalid_date`, as for date-times);
 * - `datetime`: ISO 8601 UTC from a date-time with a zone, a date (UTC midnight) or an
 *   epoch number (`invalid_date`; the kit's `toDateTime`);
 * - numbers: exact or refused (`invalid_number`, `number_not_exact`; the kit's
 *   `toExactNumber`, whole numbers for `int`, `long` and a number field of scale 0; no more
 *   decimals than the field's scale);
 * - booleans: true/false, yes/no, y/n, 1/0, on/off (`invalid_boolean`);
 * - an external-id field's text in a spreadsheet's scientific notation (`4.479E+11`, any type:
 *   `scientific_notation`), and a `phone` field's (see `isScientificNotation`).
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/primitive_data_types.htm
 *
 * Messages name the field and the rule, never the value (it may be personal data).
 */
export function convertValue(field: FieldDescribe, value: PropertyValue, dates: DateOptions): Converted {
  if (value === null) return field.nillable ? { ok: true, value: null } : notNillable(field);
  const type = field.type;
  let result: Coerced<unknown> | undefined;
  // An external-id field (unique ids other systems match on) written as `4.479E+11` holds no one's id: several become the same
  // (fresh reviewer 154, F7; a Number external id too, fresh reviewer 155, F5).
  if (field.externalId && typeof value === 'string' && isSpreadsheetExponent(value)) return bad('scientific_notation', spreadsheetExponentError(`${field.name} (an external-id field)`).message);
  if (type === 'boolean') result = toBoolean(value, field.name);
  else if (NUMBER_TYPES.has(type)) result = withinScale(field, toExactNumber(value, field.name, { integer: type === 'int' || type === 'long' || field.scale === 0 }));
  else if (type === 'date') result = toCalendarDate(value, field.name, dates);
  else if (type === 'datetime') result = toDateTime(value, field.name, dates);
  if (result) return type === 'date' || type === 'datetime' ? inDateRange(field, result as Converted) : result;
  const text = String(value);
  if (!TEXT_TYPES.has(type)) return { ok: true, value: text };
  // Salesforce saves text trimmed ("trims leading and trailing white spaces in field values",
  // https://developer.salesforce.com/docs/atlas.en-us.change_data_capture.meta/change_data_capture/cdc_data_diff_event_fields_considerations.htm):
  // checked and sent as it will be kept, so ` ann@example.com ` is a valid email. Blank text is left as it is.
  const trimmed = text.trim();
  if (field.type === 'phone' && isScientificNotation(trimmed)) return bad('scientific_notation', `${field.name} is written in a spreadsheet's scientific notation (like 4.479E+11), which keeps only the digits it shows: format the column as text in the spreadsheet and export it again.`);
  return checkText(field, trimmed === '' ? text : trimmed);
}
