import { afterAll, describe, expect, it } from 'vitest';
import {
  EPOCH_MILLISECONDS_FROM,
  isCanonicalNumber,
  plainNumberText,
  readDate,
  toBoolean,
  toCalendarDate,
  toDateTime,
  toEpochSeconds,
  toExactNumber,
  isScientificNotation,
  isSpreadsheetExponent,
  type Coerced,
  type DateOptions,
} from '../../src/index';

// The kit's value coercion (issue #12): one set of rules for every connector.

const outcome = (c: Coerced<unknown>) => (c.ok ? c.value : `!${c.error.code}`);
const DMY: DateOptions = { format: 'dd-MM-yyyy' };
const STRICT: DateOptions = { strictEpoch: true };
const ORIGINAL_TZ = process.env.TZ;
afterAll(() => {
  process.env.TZ = ORIGINAL_TZ;
});

describe('dates: calendar dates, date-times and epoch numbers, never shifted by the process time zone', () => {
  // [value, options, YYYY-MM-DD, epoch seconds, ISO date-time]
  const cases: [string | number | boolean, DateOptions, string, number | string, string][] = [
    ['2020-08-26', {}, '2020-08-26', 1598400000, '2020-08-26T00:00:00.000Z'],
    [' 2020-08-26 ', DMY, '2020-08-26', 1598400000, '2020-08-26T00:00:00.000Z'],
    ['26-08-2020', DMY, '2020-08-26', 1598400000, '2020-08-26T00:00:00.000Z'],
    ['1970-01-01', {}, '1970-01-01', 0, '1970-01-01T00:00:00.000Z'],
    ['0099-05-01', {}, '0099-05-01', -59032627200, '0099-05-01T00:00:00.000Z'],
    ['9999-12-31', {}, '9999-12-31', 253402214400, '9999-12-31T00:00:00.000Z'],
    ['2024-02-29', {}, '2024-02-29', 1709164800, '2024-02-29T00:00:00.000Z'],
    ['2024-03-01T23:30:00-05:00', {}, '2024-03-01', 1709353800, '2024-03-02T04:30:00.000Z'],
    ['2024-03-01 10:00:00Z', {}, '2024-03-01', 1709287200, '2024-03-01T10:00:00.000Z'],
    ['2024-03-01T10:00:00.987+0200', {}, '2024-03-01', 1709280000, '2024-03-01T08:00:00.987Z'],
    // Whole numbers by magnitude: below 10^11 epoch seconds, from there milliseconds.
    [1700000000, {}, '2023-11-14', 1700000000, '2023-11-14T22:13:20.000Z'],
    [1700000000123, {}, '2023-11-14', 1700000000, '2023-11-14T22:13:20.123Z'],
    ['1700000000123', {}, '2023-11-14', 1700000000, '2023-11-14T22:13:20.123Z'],
    [-86400, {}, '1969-12-31', -86400, '1969-12-31T00:00:00.000Z'],
    [EPOCH_MILLISECONDS_FROM - 1, {}, '5138-11-16', 99999999999, '5138-11-16T09:46:39.000Z'],
    [EPOCH_MILLISECONDS_FROM, {}, '1973-03-03', 100000000, '1973-03-03T09:46:40.000Z'],
    // A declared unit wins over magnitude.
    [86400000, { epochUnit: 'milliseconds' }, '1970-01-02', 86400, '1970-01-02T00:00:00.000Z'],
    [86400000, {}, '1972-09-27', 86400000, '1972-09-27T00:00:00.000Z'],
    ['20240301', { format: 'yyyyMMdd' }, '2024-03-01', 1709251200, '2024-03-01T00:00:00.000Z'],
    ['20240301', { epochUnit: 'seconds' }, '1970-08-23', 20240301, '1970-08-23T06:18:21.000Z'],
    // Impossible or ambiguous dates fail the record.
    ['2024-02-30', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['2023-02-29', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['2024-13-01', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['30-02-2020', DMY, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['20240230', { format: 'yyyyMMdd' }, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['2024-02-30T10:00:00Z', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['2024-03-01T10:00:00', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['0000-01-01', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['20240301', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    [1.7e15, {}, '!invalid_date', '!invalid_date', '!invalid_date'], // microseconds
    [1700000000123, { epochUnit: 'seconds' }, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['soon', {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['26/08/2020', DMY, '!invalid_date', '!invalid_date', '!invalid_date'],
    [true, {}, '!invalid_date', '!invalid_date', '!invalid_date'],
    // strictEpoch (fresh reviewer 97, F3): a year, 0 or a spreadsheet serial day (a day and
    // time too) is no epoch time; from 9 digits a fraction is cut to whole seconds, as without
    // it (fresh reviewer 100, F2: fractional epoch seconds failed). Without it, every number is read (as above).
    [45383, {}, '1970-01-01', 45383, '1970-01-01T12:36:23.000Z'],
    ['1990', STRICT, '!invalid_date', '!invalid_date', '!invalid_date'],
    [0, STRICT, '!invalid_date', '!invalid_date', '!invalid_date'],
    [45383, STRICT, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['99999999', STRICT, '!invalid_date', '!invalid_date', '!invalid_date'],
    ['33010.5', STRICT, '!invalid_date', '!invalid_date', '!invalid_date'],
    [1700000000.5, STRICT, '2023-11-14', 1700000000, '2023-11-14T22:13:20.500Z'],
    ['1700000000.123', STRICT, '2023-11-14', 1700000000, '2023-11-14T22:13:20.123Z'],
    [1.5, { ...STRICT, epochUnit: 'seconds' }, '1970-01-01', 1, '1970-01-01T00:00:01.500Z'],
    [100000000, STRICT, '1973-03-03', 100000000, '1973-03-03T09:46:40.000Z'],
    [-315619200, STRICT, '1960-01-01', -315619200, '1960-01-01T00:00:00.000Z'],
    ['1700000000123', STRICT, '2023-11-14', 1700000000, '2023-11-14T22:13:20.123Z'],
    ['0', { ...STRICT, epochUnit: 'seconds' }, '1970-01-01', 0, '1970-01-01T00:00:00.000Z'],
    ['26-08-2020', { ...STRICT, ...DMY }, '2020-08-26', 1598400000, '2020-08-26T00:00:00.000Z'],
  ];

  for (const tz of ['UTC', 'America/Sao_Paulo', 'Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
    it.each(cases)(`[TZ=${tz}] %j %j → %s, %s s, %s`, (value, options, date, seconds, dateTime) => {
      process.env.TZ = tz;
      expect(outcome(toCalendarDate(value, 'Birthdate', options))).toBe(date);
      expect(outcome(toEpochSeconds(value, 'Birthdate', options))).toBe(seconds);
      expect(outcome(toDateTime(value, 'Birthdate', options))).toBe(dateTime);
    });
  }

  it('says what to fix, naming the field and never the value', () => {
    const message = (value: string | number, options: DateOptions = {}) => {
      const r = readDate(value, 'Birthdate', options);
      return r.ok ? '' : r.error.message;
    };
    expect(message('2024-02-30')).toBe('Birthdate is not a date that exists (a month past 12, or a day past the end of its month such as 30 February).');
    expect(message('31-02-2020', DMY)).toBe(message('2024-02-30'));
    expect(message('2024-03-01T10:00:00')).toMatch(/^Birthdate is a date and time without a time zone.*add Z \(UTC\) or an offset/);
    expect(message(1.7e15)).toBe(
      'Birthdate read as epoch milliseconds is after the year 9999; check the value, or the unit (option epochUnit: seconds or milliseconds).',
    );
    expect(message('Jane 555-0100', DMY)).toBe(
      'Birthdate must be a date written as dd-MM-yyyy or yyyy-MM-dd, as an ISO 8601 date-time with a time zone, or as epoch seconds or milliseconds.',
    );
    expect(message('Jane 555-0100', DMY)).not.toContain('Jane');
    expect(message('1990', { ...DMY, strictEpoch: true })).toBe(
      'Birthdate is a number of fewer than 9 digits, which is not read as a date (a year, a spreadsheet serial day or a count are no epoch seconds); it must be a date written as dd-MM-yyyy or yyyy-MM-dd, as an ISO 8601 date-time with a time zone, or as epoch seconds (9 digits or more) or milliseconds. If it is epoch seconds, set the epoch unit to seconds.',
    );
    expect(message(33010.5, { ...DMY, strictEpoch: true })).toMatch(/^Birthdate is a number of fewer than 9 digits before its decimal point, which is not read as a date .*written as dd-MM-yyyy/);
  });
});

describe('numbers: exact or refused', () => {
  it.each([
    ['12', {}, 12],
    [' -3.5 ', {}, -3.5],
    ['1e3', {}, 1000],
    ['+5', {}, 5],
    ['.5', {}, 0.5],
    ['007', {}, 7],
    [42, {}, 42],
    [0.1, {}, 0.1],
    ['9007199254740991', { integer: true }, 9007199254740991],
    ['9007199254740992', {}, '!number_not_exact'],
    ['9007199254740993', {}, '!number_not_exact'],
    ['-12345678901234567890', {}, '!number_not_exact'],
    ['0.12345678901234567891', {}, '!number_not_exact'],
    ['1.2345678901234567', {}, 1.2345678901234567],
    ['1e400', {}, '!number_not_exact'],
    [2 ** 60, {}, '!number_not_exact'],
    ['12.5', { integer: true }, '!invalid_number'],
    // Fresh trial 144: a European file's thousands in a whole-number field were read as 1 (`1.000`); never guessed now.
    ['1.000', { integer: true }, '!invalid_number'],
    ['-12.000', { integer: true }, '!invalid_number'],
    ['12.500', { integer: true }, '!invalid_number'],
    ['1.0', { integer: true }, 1],
    ['1000', { integer: true }, 1000],
    ['1.000', {}, 1],
    ['1.000.000', { integer: true }, '!invalid_number'],
    ['0.000', { integer: true }, 0],
    ['1,000', {}, '!invalid_number'],
    ['0x10', {}, '!invalid_number'],
    ['', {}, '!invalid_number'],
    ['Infinity', {}, '!invalid_number'],
    [true, {}, '!invalid_number'],
    [Number.NaN, {}, '!invalid_number'],
  ] as const)('%j %j → %j', (value, options, expected) => {
    expect(outcome(toExactNumber(value, 'Score', options))).toBe(expected);
  });

  it.each([
    ['4.479E+11', true],
    ['4,479E+11', true],
    ['1E+10', true],
    ['-2.5e-3', true],
    [' 5.35E+09 ', true],
    ['447900900123', false],
    ['+44 7900 900123', false],
    ['E+11', false],
    ['4.479E', false],
  ] as const)('isScientificNotation(%j) is %s', (text, expected) => {
    expect(isScientificNotation(text)).toBe(expected);
  });

  it.each([
    ['4.479E+11', true],
    ['4,479E+11', true],
    ['1E+10', true],
    [' 5.35E+09 ', true],
    ['1.2e-05', true],
    ['12e45', false], // a hex id
    ['1E10', false],
    ['4e5', false],
    ['12.5E+3', false], // two leading digits: no spreadsheet writes it so
    ['447900900123', false],
    ['abc', false],
  ] as const)('isSpreadsheetExponent(%j) is %s (ids: only the form spreadsheets write)', (text, expected) => {
    expect(isSpreadsheetExponent(text)).toBe(expected);
  });

  it('explains a whole number written with a dot and three digits, without the value', () => {
    const r = toExactNumber('7.000', 'Seats', { integer: true });
    expect(r.ok ? '' : r.error.message).toBe('Seats must be a whole number; written with a dot and three digits (as 1.000), it may be thousands grouped by a dot or a decimal fraction, which is not guessed: write it without the dot.');
  });

  it('explains number_not_exact without the value', () => {
    const r = toExactNumber('9007199254740993', 'AccountNumber');
    expect(r.ok ? '' : r.error.message).toMatch(/^AccountNumber has more digits than a number field keeps exactly.*Map it to a text field/);
  });

  it.each([
    [42, true],
    ['42', true],
    ['-3.5', true],
    ['0', true],
    ['01234', false],
    ['007', false],
    ['+5', false],
    ['1.50', false],
    ['1e3', false],
    ['-0', false],
    ['9007199254740993', false],
    [2 ** 60, false],
    ['abc', false],
    [true, false],
  ] as const)('isCanonicalNumber(%j) → %s', (value, expected) => {
    expect(isCanonicalNumber(value)).toBe(expected);
  });

  it('writes numbers out in full', () => {
    expect(plainNumberText(1e21)).toBe('1000000000000000000000');
    expect(plainNumberText(1e-7)).toBe('0.0000001');
    expect(plainNumberText(-12.5)).toBe('-12.5');
  });
});

describe('booleans: the usual spellings', () => {
  it.each([
    [true, true],
    [false, false],
    ['TRUE', true],
    [' yes ', true],
    ['Y', true],
    ['1', true],
    [1, true],
    ['on', true],
    ['False', false],
    ['no', false],
    ['n', false],
    ['0', false],
    [0, false],
    ['OFF', false],
    ['maybe', '!invalid_boolean'],
    [2, '!invalid_boolean'],
    ['', '!invalid_boolean'],
  ] as const)('%j → %j', (value, expected) => {
    expect(outcome(toBoolean(value, 'Opted out'))).toBe(expected);
  });
});
