/**
 * Value coercion shared by every connector: dates, date-times, numbers and booleans from
 * source values, exact or refused with a per-record code (`invalid_date`,
 * `invalid_number`, `number_not_exact`, `invalid_boolean`).
 */
export { coerced, refused, type Coerced } from './coerced';
export { EPOCH_MILLISECONDS_FROM, epochMillis, epochUnitSchema, type EpochUnit } from './epoch-unit';
export { readDate, toCalendarDate, toDateTime, toEpochSeconds, type DateOptions, type DateValue } from './dates';
export { changedAsNumber, isCanonicalNumber, isScientificNotation, plainNumberText, toExactNumber, type NumberOptions } from './numbers';
export { FALSE_SPELLINGS, TRUE_SPELLINGS, toBoolean } from './booleans';
export { isEmailAddress } from './email-address';
export { isSpreadsheetExponent, spreadsheetExponentError } from './spreadsheet-exponent';
