import { InputError, toBoolean, toEpochSeconds, toExactNumber, type Coerced, type DateOptions, type PropertyValue } from '@syncmodes/connector-kit';
import type { IntercomConfig } from '../config';
import type { AttributeType } from './contact-fields';

/** A converted value, or the reason it cannot be sent. */
export type Converted = Coerced<string | number | boolean>;

/** How the configuration says dates are written in the source (`dateFormat`, `epochUnit`). */
export function dateOptionsOf(config: Pick<IntercomConfig, 'dateFormat' | 'epochUnit'>): DateOptions {
  return { format: config.dateFormat, epochUnit: config.epochUnit, strictEpoch: true };
}

/** A number written with zeros before its first digit (`02139`, `007`, `-00.5`): a code such as a ZIP, which a number drops. */
const LEADING_ZEROS = /^[+-]?0\d/;

/**
 * Why a value with leading zeros is not sent to a number attribute: stored as a number it
 * would lose them (`02139` → `2139`), the data changed without a word. An attribute this sync
 * created as a number from earlier values meets it in a later run (fresh trial 139, F1).
 */
function leadingZeros(field: string, type: 'integer' | 'float'): string {
  return `${field} has leading zeros, which Intercom's ${type} attribute would drop (a code such as a ZIP, not a number). Make it a text attribute (a new custom attribute name, or one of type string), or drop the zeros in the source.`;
}

/**
 * Converts a source value to what Intercom expects for an attribute of `type`, with the
 * kit's value coercion (no time-zone shift, no rounding), naming the field (never the
 * value, which may be personal data) when it cannot:
 * - `string`: the text;
 * - `integer` / `float`: the exact number (`invalid_number`, `number_not_exact`; also for
 *   text with leading zeros, which the number would drop);
 * - `boolean`: from true/false, yes/no, y/n, 1/0, on/off (`invalid_boolean`);
 * - `date`: epoch seconds, as Intercom stores dates — from a date in `dateFormat` or ISO
 *   (UTC midnight), an ISO date-time with a zone, or epoch seconds / milliseconds by
 *   magnitude or `epochUnit` (`invalid_date`).
 * `null` is left to the caller (clearing depends on the contact's role).
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/data-attributes/
 */
export function convertValue(field: string, type: AttributeType, value: Exclude<PropertyValue, null>, dates: DateOptions): Converted {
  switch (type) {
    case 'string':
      return { ok: true, value: String(value) };
    case 'integer':
    case 'float':
      if (typeof value === 'string' && LEADING_ZEROS.test(value.trim())) return { ok: false, error: new InputError('number_not_exact', leadingZeros(field, type)) };
      return toExactNumber(value, field, { integer: type === 'integer' });
    case 'boolean':
      return toBoolean(value, field);
    case 'date':
      return toEpochSeconds(value, field, dates);
  }
}
