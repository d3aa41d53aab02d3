import { changedAsNumber, isCanonicalNumber, toEpochSeconds, type DateOptions, type PropertyValue } from '@syncmodes/connector-kit';
import type { AttributeType } from './contact-fields';

/** The type a new data attribute gets, and why (shown in dry runs and the run summary). */
export interface InferredType {
  readonly type: AttributeType;
  readonly reason: string;
}

type Sample = Exclude<PropertyValue, null>;

const isBoolean = (v: Sample) => typeof v === 'boolean' || /^(true|false)$/i.test(String(v).trim());
const isWhole = (v: Sample) => isCanonicalNumber(v) && Number.isInteger(Number(v));
/** Text that reads as a number but that a numeric attribute would change: `01234`, `007`, `+5`, `1.50`, `1e3`, 17 digits. */
const looksNumeric = (v: Sample) => typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v.trim());

/**
 * The data type for a new custom attribute, from sample values of the source: the first
 * of these that every sample fits, else `string`:
 * - `boolean`: real booleans or the text true/false (so 0/1 columns stay numbers);
 * - `integer`, `float`: numbers whose text reads back unchanged (kit `isCanonicalNumber`),
 *   so `01234`, `007` (postal codes, account numbers), `+5`, `1.50` and numbers a double
 *   cannot hold exactly make the attribute a `string` and keep their digits;
 * - `date`: every sample is a date written as one (kit `toEpochSeconds`, with the run's
 *   date options; digits alone, such as `02134`, never make a date);
 * - `string` otherwise, also for mixed samples where any value would not survive the
 *   other types, and when there are no samples.
 */
export function inferAttributeType(samples: readonly PropertyValue[], dates: DateOptions): InferredType {
  const values = samples.filter((v): v is Sample => v !== null && v !== '');
  if (values.length === 0) return { type: 'string', reason: 'no values in the source to tell the type from' };
  if (values.every(isBoolean)) return { type: 'boolean', reason: 'every value is true or false' };
  if (values.every(isWhole)) return { type: 'integer', reason: 'every value is a whole number' };
  if (values.every((v) => isCanonicalNumber(v))) return { type: 'float', reason: 'every value is a number' };
  // Digits alone are numbers (or postal codes), not epoch dates: a date type must come from dates written as dates.
  if (values.every((v) => typeof v === 'string' && !looksNumeric(v) && toEpochSeconds(v, 'sample', dates).ok))
    return { type: 'date', reason: 'every value is a date' };
  if (values.some(changedAsNumber)) {
    return {
      type: 'string',
      reason: 'some values are digits a number would change (leading zeros, a sign, trailing zeros or more digits than a number keeps)',
    };
  }
  return { type: 'string', reason: 'the values are text, or of mixed kinds' };
}
