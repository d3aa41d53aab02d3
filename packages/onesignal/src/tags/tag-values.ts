import { InputError, type PropertyValue, type SyncError } from '@syncmodes/connector-kit';
import { format, isValid, parse } from 'date-fns';
import type { OneSignalConfig } from '../config';

/** A tag value as sent, or why the source value cannot be one. */
export type TagValue = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: SyncError };

const TRUE = new Set(['true', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'no', 'n', '0']);
const REFERENCE_DATE = new Date(2000, 0, 1);
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const bad = (code: string, message: string): TagValue => ({ ok: false, error: new InputError(code, message) });

/** A number written out in full (no exponent), as OneSignal's numeric filters expect. */
export function numberTag(n: number): string {
  return n.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

/**
 * Unix seconds of a date: `yyyy-MM-dd`-style plain dates (in `dateFormat`, or ISO) count
 * from UTC midnight of that calendar day, whatever the process time zone; ISO 8601 date-
 * times must carry a zone (`Z` or `±hh:mm`). `undefined` when the text is not a date.
 */
export function unixSeconds(text: string, dateFormat: string): number | undefined {
  if (ISO_DATE_TIME.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  for (const pattern of [dateFormat, 'yyyy-MM-dd']) {
    const d = parse(text, pattern, REFERENCE_DATE);
    if (isValid(d) && format(d, pattern) === text) return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 1000;
  }
  return undefined;
}

/**
 * Converts a source value to a tag value (OneSignal tags are strings):
 * - `null` (emptied) → `""`, which deletes the tag;
 * - tags listed in `dateTags` → unix seconds (`invalid_date` otherwise);
 * - tags listed in `booleanTags` → `"true"` / `"false"` from true/false, yes/no, y/n, 1/0
 *   (`invalid_boolean` otherwise);
 * - booleans → `"true"` / `"false"`; numbers → decimal text without exponent;
 * - text → as is.
 * Messages name the tag and the rule, never the value (it may be personal data).
 * https://documentation.onesignal.com/docs/add-user-data-tags
 */
export function tagValue(key: string, value: PropertyValue, config: Pick<OneSignalConfig, 'dateTags' | 'booleanTags' | 'dateFormat'>): TagValue {
  if (value === null || value === '') return { ok: true, value: '' };
  if (config.dateTags.includes(key)) {
    const seconds = typeof value === 'number' ? value : unixSeconds(String(value).trim(), config.dateFormat);
    if (seconds === undefined || !Number.isFinite(seconds)) {
      return bad('invalid_date', `Tag ${key} must be a date written as ${config.dateFormat} (or ISO 8601 with a time zone).`);
    }
    return { ok: true, value: numberTag(Math.trunc(seconds)) };
  }
  if (config.booleanTags.includes(key)) {
    if (typeof value === 'boolean') return { ok: true, value: String(value) };
    const text = String(value).trim().toLowerCase();
    if (TRUE.has(text)) return { ok: true, value: 'true' };
    if (FALSE.has(text)) return { ok: true, value: 'false' };
    return bad('invalid_boolean', `Tag ${key} must be yes or no (true/false, y/n, 1/0).`);
  }
  if (typeof value === 'boolean') return { ok: true, value: String(value) };
  if (typeof value === 'number') return { ok: true, value: numberTag(value) };
  return { ok: true, value };
}
