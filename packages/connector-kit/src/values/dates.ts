// date-fns by function: its root module loads every function it has (about 50 ms more at each CLI start).
import { format as formatDate } from 'date-fns/format';
import { isValid } from 'date-fns/isValid';
import { parse } from 'date-fns/parse';
import { parseISO } from 'date-fns/parseISO';
import type { PropertyValue } from '../records/types';
import { coerced, refused, type Coerced } from './coerced';
import { epochMillis, type EpochUnit } from './epoch-unit';

/** How {@link toCalendarDate}, {@link toEpochSeconds} and {@link toDateTime} read dates. */
export interface DateOptions {
  /**
   * The format the source writes calendar dates in, as date-fns tokens (e.g. `dd-MM-yyyy`,
   * `MM/dd/yyyy`). ISO `yyyy-MM-dd` is always read too. Default: ISO only.
   */
  readonly format?: string | undefined;
  /** How whole numbers are read. Default `auto` (see `EPOCH_MILLISECONDS_FROM`). */
  readonly epochUnit?: EpochUnit | undefined;
  /**
   * Read a number as epoch time only where it cannot be meant otherwise (see
   * {@link STRICT_EPOCH_FROM}): with `epochUnit` `auto`, a number of fewer than 9
   * digits fails with `invalid_date` (a year such as 1990, a spreadsheet serial day such as
   * 45383 — with a fraction too, a serial day and time — 0 or a day written without
   * separators are no epoch seconds a source means). From 9 digits a fraction is cut to whole
   * seconds, as before (fractional epoch seconds such as Python's `time.time()`: fresh
   * reviewer 100, F2).
   * Default `false`: every number is epoch time by `epochUnit`.
   */
  readonly strictEpoch?: boolean | undefined;
}

/**
 * With {@link DateOptions.strictEpoch} and `epochUnit` `auto`, the smallest magnitude read
 * as epoch seconds: 10^8, 9 digits (1973-03-03T09:46:40Z; as far before 1970 for negative
 * numbers). Spreadsheet serial days stay under 3,000,000 (9999-12-31), years under 10,000
 * and days written as digits only (yyyyMMdd, ddMMyyyy) have 8 digits.
 */
const STRICT_EPOCH_FROM = 1e8;

/** A date read from the source: a calendar day, or an instant (epoch ms) with the day it names. */
export interface DateValue {
  readonly year: number;
  /** 1–12. */
  readonly month: number;
  /** 1–31. */
  readonly day: number;
  /** Epoch ms for a date-time or an epoch number; `undefined` for a calendar date. */
  readonly ms: number | undefined;
}

/** Latest instant read: 9999-12-31T23:59:59.999Z. */
const MAX_MS = 253_402_300_799_999;
/** Earliest instant read: 0001-01-01T00:00:00.000Z. */
const MIN_MS = -62_135_596_800_000;
const REFERENCE_DATE = new Date(2000, 0, 1);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

/** Epoch ms of UTC midnight of a calendar day (years 1–99 too, which `Date.UTC` maps to 19xx). */
function utcMidnight(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function fromInstant(ms: number): DateValue {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), ms };
}

/** A calendar day in `pattern` (date-fns tokens), only when writing it back gives the same text (so 31-02 or month 13 never pass). */
function calendarDay(text: string, pattern: string): DateValue | undefined {
  const d = parse(text, pattern, REFERENCE_DATE);
  if (!isValid(d) || formatDate(d, pattern) !== text) return undefined;
  // parse() builds local time from the text's own fields: reading them back gives that day, whatever the process time zone.
  return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), ms: undefined };
}

/**
 * Whether text has the shape of a numeric date format (only `d`, `M`, `y` tokens and
 * separators, e.g. `dd-MM-yyyy`): then a text of that shape that is no date is an
 * impossible date (31-02-2020), not an unknown notation.
 */
function hasShapeOf(text: string, pattern: string): boolean {
  if (!/^[dMy]+(?:[^A-Za-z0-9]+[dMy]+)*$/.test(pattern)) return false;
  const shape = pattern.replace(/[dMy]+|[^dMy]+/g, (run) =>
    /^[dMy]/.test(run) ? `\\d{${run.length === 1 ? '1,2' : run.length}}` : run.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
  );
  return new RegExp(`^${shape}$`).test(text);
}

const hint = (options: DateOptions) =>
  `written as ${
    options.format && options.format !== 'yyyy-MM-dd' ? `${options.format} or ` : ''
  }yyyy-MM-dd, as an ISO 8601 date-time with a time zone, or as ${
    options.strictEpoch && (options.epochUnit ?? 'auto') === 'auto' ? 'epoch seconds (9 digits or more) or milliseconds' : 'epoch seconds or milliseconds'
  }`;

/** Why a number is no date under {@link DateOptions.strictEpoch}; `undefined` when it may be read (or the option is off). */
function notStrictEpoch(n: number, label: string, options: DateOptions): Coerced<DateValue> | undefined {
  if (!options.strictEpoch || !Number.isFinite(n)) return undefined;
  if ((options.epochUnit ?? 'auto') !== 'auto' || Math.abs(n) >= STRICT_EPOCH_FROM) return undefined;
  return refused(
    'invalid_date',
    `${label} is a number of fewer than 9 digits${Number.isInteger(n) ? '' : ' before its decimal point'}, which is not read as a date (a year, a spreadsheet serial day or a count are no epoch seconds); it must be a date ${hint(options)}. If it is epoch seconds, set the epoch unit to seconds.`,
  );
}

function readText(text: string, label: string, options: DateOptions): Coerced<DateValue> {
  for (const pattern of options.format ? [options.format, 'yyyy-MM-dd'] : ['yyyy-MM-dd']) {
    const day = calendarDay(text, pattern);
    if (day) return coerced(day);
  }
  const impossible = () =>
    refused<DateValue>('invalid_date', `${label} is not a date that exists (a month past 12, or a day past the end of its month such as 30 February).`);
  if (ISO_DATE.test(text) || (options.format !== undefined && hasShapeOf(text, options.format))) return impossible();
  const dateTime = ISO_DATE_TIME.exec(text);
  if (dateTime) {
    if (dateTime[3] === undefined) {
      return refused(
        'invalid_date',
        `${label} is a date and time without a time zone, which could mean any of 24 hours; add Z (UTC) or an offset such as +02:00.`,
      );
    }
    const parsed = parseISO(`${dateTime[1]}T${dateTime[2]}${dateTime[3].toUpperCase()}`);
    if (!isValid(parsed)) return impossible();
    const written = calendarDay(dateTime[1] as string, 'yyyy-MM-dd');
    return written ? coerced({ ...written, ms: parsed.getTime() }) : impossible();
  }
  if (DECIMAL.test(text)) {
    if ((options.epochUnit ?? 'auto') === 'auto' && /^\d{8}$/.test(text) && calendarDay(text, 'yyyyMMdd')) {
      return refused(
        'invalid_date',
        `${label} has 8 digits, which read as a date (yyyyMMdd) and as epoch seconds give different days; set the date format to yyyyMMdd, or the epoch unit to seconds.`,
      );
    }
    return readNumber(Number(text), label, options);
  }
  return refused('invalid_date', `${label} must be a date ${hint(options)}.`);
}

function readNumber(n: number, label: string, options: DateOptions): Coerced<DateValue> {
  if (!Number.isFinite(n)) return refused('invalid_date', `${label} must be a date ${hint(options)}.`);
  const strict = notStrictEpoch(n, label, options);
  if (strict) return strict;
  const { ms, unit } = epochMillis(n, options.epochUnit ?? 'auto');
  if (ms > MAX_MS || ms < MIN_MS) {
    return refused(
      'invalid_date',
      `${label} read as epoch ${unit} is ${
        ms > MAX_MS ? 'after the year 9999' : 'before the year 1'
      }; check the value, or the unit (option epochUnit: seconds or milliseconds).`,
    );
  }
  return coerced(fromInstant(Math.floor(ms)));
}

/**
 * Reads a date from a source value, never shifted by the process time zone:
 * - text in `options.format` or ISO `yyyy-MM-dd`: that calendar day;
 * - an ISO 8601 date-time with a zone (`Z`, `±hh:mm`, `±hhmm`, `±hh`; `T` or a space
 *   between date and time): that instant, and the day as written;
 * - a number, or text of one: epoch seconds or milliseconds by `options.epochUnit`
 *   (`auto`: by magnitude), the instant's UTC day; with `options.strictEpoch`, only a
 *   whole number, of 9 digits or more while the unit is `auto`.
 *
 * Fails with `invalid_date` for anything else: impossible dates (month 13, 30 February),
 * date-times without a zone (ambiguous), dates before the year 1 or after 9999 once
 * converted (e.g. epoch microseconds read as milliseconds), eight-digit text that is also
 * a `yyyyMMdd` date while the unit is `auto` (ambiguous), numbers `options.strictEpoch`
 * refuses, booleans.
 */
export function readDate(value: Exclude<PropertyValue, null>, label: string, options: DateOptions = {}): Coerced<DateValue> {
  if (typeof value === 'boolean') return refused('invalid_date', `${label} must be a date ${hint(options)}, not true/false.`);
  if (typeof value === 'number') return readNumber(value, label, options);
  const read = readText(value.trim(), label, options);
  if (!read.ok || (read.value.year >= 1 && read.value.year <= 9999)) return read;
  return refused('invalid_date', `${label} has a year outside 1–9999.`);
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * A source value as a calendar date `YYYY-MM-DD` (for date fields such as Salesforce
 * `date`): the day as written, or the UTC day of an epoch number. See {@link readDate}.
 */
export function toCalendarDate(value: Exclude<PropertyValue, null>, label: string, options: DateOptions = {}): Coerced<string> {
  const read = readDate(value, label, options);
  if (!read.ok) return read;
  const { year, month, day } = read.value;
  return coerced(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
}

/**
 * A source value as whole epoch seconds (for APIs that take dates as Unix time, such as
 * Intercom date attributes or OneSignal date tags): a calendar date is its UTC midnight;
 * an instant is rounded down to the second. See {@link readDate}.
 */
export function toEpochSeconds(value: Exclude<PropertyValue, null>, label: string, options: DateOptions = {}): Coerced<number> {
  const read = readDate(value, label, options);
  if (!read.ok) return read;
  const { year, month, day, ms } = read.value;
  return coerced(Math.floor((ms ?? utcMidnight(year, month, day)) / 1000));
}

/**
 * A source value as an ISO 8601 UTC date-time `YYYY-MM-DDTHH:mm:ss.sssZ` (for date-time
 * fields such as Salesforce `datetime`): a calendar date is its UTC midnight. See
 * {@link readDate}.
 */
export function toDateTime(value: Exclude<PropertyValue, null>, label: string, options: DateOptions = {}): Coerced<string> {
  const read = readDate(value, label, options);
  if (!read.ok) return read;
  const { year, month, day, ms } = read.value;
  return coerced(new Date(ms ?? utcMidnight(year, month, day)).toISOString());
}
