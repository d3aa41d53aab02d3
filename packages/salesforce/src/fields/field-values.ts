import { InputError, type PropertyValue, type SyncError } from '@syncmodes/connector-kit';
import { format, isValid, parse } from 'date-fns';
import { z } from 'zod';
import type { FieldDescribe } from '../client/salesforce-api';

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
const NUMBER_TYPES = new Set(['double', 'currency', 'percent', 'int', 'long']);
const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);
const email = z.email();
const REFERENCE_DATE = new Date(2000, 0, 1);

/** A converted value, or the reason it cannot be sent. */
export type Converted = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: SyncError };

const bad = (code: string, message: string): Converted => ({ ok: false, error: new InputError(code, message) });

/**
 * Converts a source value for a Salesforce field, checking it the way Salesforce will:
 * - `null` clears the field;
 * - text types: length ≤ the field's length (`value_too_long`), emails well formed
 *   (`invalid_email`), restricted picklists hold an active value (`invalid_picklist_value`);
 * - `date`: parsed with `dateFormat` (date-fns tokens) or ISO `yyyy-MM-dd`, sent as
 *   `YYYY-MM-DD` in the same calendar day whatever the process time zone (`invalid_date`);
 * - numbers (`invalid_number`) and booleans (true/false, yes/no, 1/0; `invalid_boolean`).
 *
 * Messages name the field and the rule, never the value (it may be personal data).
 */
export function convertValue(field: FieldDescribe, value: PropertyValue, dateFormat: string): Converted {
  if (value === null) return { ok: true, value: null };
  const type = field.type;
  if (type === 'boolean') {
    if (typeof value === 'boolean') return { ok: true, value };
    const text = String(value).trim().toLowerCase();
    if (TRUE.has(text)) return { ok: true, value: true };
    if (FALSE.has(text)) return { ok: true, value: false };
    return bad('invalid_boolean', `${field.name} must be true or false (or yes/no, 1/0).`);
  }
  if (NUMBER_TYPES.has(type)) {
    const n = typeof value === 'number' ? value : Number(String(value).trim());
    if (!Number.isFinite(n) || (type === 'int' && !Number.isInteger(n))) return bad('invalid_number', `${field.name} must be a ${type === 'int' ? 'whole ' : ''}number.`);
    return { ok: true, value: n };
  }
  if (type === 'date') {
    const text = String(value).trim();
    for (const pattern of [dateFormat, 'yyyy-MM-dd']) {
      const d = parse(text, pattern, REFERENCE_DATE);
      if (isValid(d) && format(d, pattern) === text) return { ok: true, value: format(d, 'yyyy-MM-dd') };
    }
    return bad('invalid_date', `${field.name} must be a date written as ${dateFormat}.`);
  }
  if (type === 'datetime') {
    const ms = Date.parse(String(value));
    if (Number.isNaN(ms)) return bad('invalid_datetime', `${field.name} must be a date and time (ISO 8601).`);
    return { ok: true, value: new Date(ms).toISOString() };
  }
  const text = String(value);
  if (TEXT_TYPES.has(type)) {
    if (field.length > 0 && text.length > field.length) {
      return bad('value_too_long', `${field.name} has ${text.length} characters; Salesforce allows ${field.length}. Shorten it.`);
    }
    if (type === 'email' && !email.safeParse(text).success) return bad('invalid_email', `${field.name} is not a valid email address.`);
    if (type === 'picklist' && field.restrictedPicklist && !field.picklistValues.some((p) => p.active && p.value === text)) {
      return bad('invalid_picklist_value', `${field.name} must be one of: ${field.picklistValues.filter((p) => p.active).map((p) => p.value).join(', ')}.`);
    }
  }
  return { ok: true, value: text };
}
