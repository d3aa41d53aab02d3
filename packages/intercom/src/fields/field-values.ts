import { InputError, type PropertyValue, type SyncError } from '@syncmodes/connector-kit';
import { format, isValid, parse } from 'date-fns';
import type { AttributeType } from './contact-fields';

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);
const REFERENCE_DATE = new Date(2000, 0, 1);

/** A converted value, or the reason it cannot be sent. */
export type Converted = { readonly ok: true; readonly value: string | number | boolean | null } | { readonly ok: false; readonly error: SyncError };

const bad = (code: string, message: string): Converted => ({ ok: false, error: new InputError(code, message, { fields: [] }) });

/**
 * Epoch seconds of a date written in the source: a whole number is taken as epoch seconds;
 * an ISO 8601 date-time with a time zone is exact; a calendar date (`dateFormat`, date-fns
 * tokens, or `yyyy-MM-dd`) is UTC midnight of that day, whatever the process time zone.
 *
 * @returns `undefined` when the text is none of these.
 */
export function epochSeconds(value: string | number, dateFormat: string): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  const text = value.trim();
  if (/^-?\d+$/.test(text) && !/^\d{8}$/.test(text)) return Number(text);
  for (const pattern of [dateFormat, 'yyyy-MM-dd']) {
    const d = parse(text, pattern, REFERENCE_DATE);
    if (isValid(d) && format(d, pattern) === text) return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 1000;
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  return undefined;
}

/**
 * Converts a source value to what Intercom expects for an attribute of `type`, naming the
 * field (never the value, which may be personal data) when it cannot:
 * strings as text; `integer` / `float` numbers (`invalid_number`); booleans from
 * true/false, yes/no, 1/0 (`invalid_boolean`); dates as epoch seconds (`invalid_date`).
 * `null` is left to the caller (clearing depends on the contact's role).
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/data-attributes/
 */
export function convertValue(field: string, type: AttributeType, value: Exclude<PropertyValue, null>, dateFormat: string): Converted {
  switch (type) {
    case 'string':
      return { ok: true, value: String(value) };
    case 'integer':
    case 'float': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : Number.NaN;
      if (!Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) {
        return bad('invalid_number', `${field} must be a ${type === 'integer' ? 'whole ' : ''}number.`);
      }
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const text = String(value).trim().toLowerCase();
      if (TRUE.has(text)) return { ok: true, value: true };
      if (FALSE.has(text)) return { ok: true, value: false };
      return bad('invalid_boolean', `${field} must be true or false (or yes/no, 1/0).`);
    }
    case 'date': {
      const seconds = typeof value === 'boolean' ? undefined : epochSeconds(value, dateFormat);
      if (seconds === undefined) return bad('invalid_date', `${field} must be a date written as ${dateFormat} (or ISO 8601, or epoch seconds).`);
      return { ok: true, value: seconds };
    }
  }
}
