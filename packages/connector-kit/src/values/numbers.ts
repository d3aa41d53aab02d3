import { isSafeNumber } from 'lossless-json';
import type { PropertyValue } from '../records/types';
import { coerced, refused, type Coerced } from './coerced';

/** Options of {@link toExactNumber}. */
export interface NumberOptions {
  /** The field takes whole numbers only (`invalid_number` for a fraction). */
  readonly integer?: boolean | undefined;
}

/** Decimal text: optional sign, digits with an optional fraction (or a fraction alone), optional exponent. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** One to three digits, a dot, three digits: a whole number grouped by thousands in a European file, or a fraction. */
const GROUPED_THOUSANDS = /^[+-]?\d{1,3}\.\d{3}$/;

const notExact = (label: string) =>
  refused<number>(
    'number_not_exact',
    `${label} has more digits than a number field keeps exactly (whole numbers up to 9,007,199,254,740,991, or about 15 significant digits); it would be stored rounded. Map it to a text field, or shorten it in the source.`,
  );

/**
 * A source value as a number for a numeric destination field, only when the number is
 * exactly what the source wrote:
 * - numbers as they are; text in decimal notation (`12`, `-3.5`, `1e3`; no thousands
 *   separators, no `0x…`) as the number it writes;
 * - `invalid_number` for anything else (text that is not a number, booleans, a fraction
 *   when `integer` is set, and there text such as `1.000` or `12.500`: a thousands
 *   separator, or a fraction? It is not guessed);
 * - `number_not_exact` when a double cannot hold the value exactly: whole numbers beyond
 *   ±(2^53 − 1), more significant digits than a double keeps (judged by lossless-json's
 *   `isSafeNumber`), or out of range (`1e400`). Such a value would be written rounded, to
 *   a different number.
 */
export function toExactNumber(value: Exclude<PropertyValue, null>, label: string, options: NumberOptions = {}): Coerced<number> {
  const whole = options.integer ? 'whole ' : '';
  if (typeof value === 'boolean') return refused('invalid_number', `${label} must be a ${whole}number, not true/false.`);
  const text = typeof value === 'number' ? undefined : value.trim();
  if (text !== undefined && !DECIMAL.test(text))
    return refused('invalid_number', `${label} must be a ${whole}number (digits, an optional sign and decimal point).`);
  const n = text === undefined ? (value as number) : Number(text);
  if (!Number.isFinite(n)) return text === undefined ? refused('invalid_number', `${label} must be a finite number.`) : notExact(label);
  // `1.000` and `12.500` in a whole-number field: a European file's thousands (1000, 12500), or a fraction? Never guessed (fresh trial 144).
  // (`0.000` is 0 both ways.)
  if (options.integer && text !== undefined && n !== 0 && GROUPED_THOUSANDS.test(text)) {
    return refused('invalid_number', `${label} must be a whole number; written with a dot and three digits (as 1.000), it may be thousands grouped by a dot or a decimal fraction, which is not guessed: write it without the dot.`);
  }
  if (options.integer && !Number.isInteger(n)) return refused('invalid_number', `${label} must be a whole number.`);
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return notExact(label);
  if (text !== undefined && !isSafeNumber(text.replace(/^\+/, ''))) return notExact(label);
  return coerced(n);
}

/**
 * Whether a value written as a number reads back as the same text: a number, or text that
 * is exactly how JavaScript writes the number it means (`42`, `-3.5`). False for `01234`,
 * `007`, `+5`, `1.50`, `1e3`, and for numbers a double cannot hold exactly — values that a
 * numeric field would change. Use it before giving a new field a numeric type.
 */
export function isCanonicalNumber(value: Exclude<PropertyValue, null>): boolean {
  if (typeof value === 'number') return Number.isFinite(value) && (!Number.isInteger(value) || Number.isSafeInteger(value));
  if (typeof value !== 'string' || !DECIMAL.test(value)) return false;
  const n = Number(value);
  return Number.isFinite(n) && String(n) === value && (!Number.isInteger(n) || Number.isSafeInteger(n));
}

/**
 * A number written out in full, without an exponent (`1e21` → `1000000000000000000000`,
 * `1e-7` → `0.0000001`), for APIs that take numbers as text.
 */
export function plainNumberText(n: number): string {
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * Whether text reads as a number that a numeric field would change (`01234`, `007`, `+5`,
 * `1.50`, `1e3`, or more digits than a double keeps): the values that make a field derived
 * from samples text rather than a number.
 */
export function changedAsNumber(value: PropertyValue): boolean {
  return typeof value === 'string' && DECIMAL.test(value.trim()) && !isCanonicalNumber(value);
}

/** A number in exponent notation as a spreadsheet shows a long one (`4.479E+11`, `4,479E+11`, `1E+10`). */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;

/**
 * True when text is a number in scientific notation, as a spreadsheet writes a long number it
 * holds as a number (`447900900123` → `4.479E+11`): for a phone number, the digits past the
 * first few are lost, and the number it stands for cannot be told (fresh trial 147, F1: such
 * phones were written to Salesforce and Intercom as `4.479E+11`).
 * https://github.com/alphagov/notifications-admin/pull/4124
 */
export function isScientificNotation(text: string): boolean {
  return SCIENTIFIC.test(text.trim());
}

