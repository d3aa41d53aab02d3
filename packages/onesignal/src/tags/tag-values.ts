import { plainNumberText, toBoolean, toEpochSeconds, type Coerced, type PropertyValue } from '@syncmodes/connector-kit';
import type { OneSignalConfig } from '../config';

/** A tag value as sent, or why the source value cannot be one. */
export type TagValue = Coerced<string>;

/** A number written out in full (no exponent), as OneSignal's numeric filters expect (the kit's `plainNumberText`). */
export const numberTag = plainNumberText;

/**
 * Converts a source value to a tag value (OneSignal tags are strings), with the kit's
 * value coercion for dates and booleans:
 * - `null` (emptied) → `""`, which deletes the tag;
 * - tags listed in `dateTags` → unix seconds, as OneSignal's time operators read them
 *   (https://documentation.onesignal.com/docs/time-operators): the kit's `toEpochSeconds`
 *   with `strictEpoch`: a date in `dateFormat` or ISO at UTC midnight, an ISO date-time with
 *   a zone, or a whole number read as epoch seconds / milliseconds by `epochUnit` — with
 *   `auto` (the default) only from 9 digits (10^8 s, 1973-03-03; from 10^11 milliseconds),
 *   so a year (`1990`), a spreadsheet serial day (`45383`, `33010.5`) or `0` is no date;
 *   from 9 digits a fraction is cut to whole seconds. `invalid_date` otherwise, its message giving the formats read;
 * - tags listed in `booleanTags` → `"true"` / `"false"` (the kit's `toBoolean`: true/false,
 *   yes/no, y/n, 1/0, on/off; `invalid_boolean` otherwise);
 * - booleans → `"true"` / `"false"`; numbers → decimal text without exponent;
 * - text → as is (digits and leading zeros kept).
 * Messages name the tag and the rule, never the value (it may be personal data).
 * https://documentation.onesignal.com/docs/add-user-data-tags
 */
export function tagValue(key: string, value: PropertyValue, config: Pick<OneSignalConfig, 'dateTags' | 'booleanTags' | 'dateFormat' | 'epochUnit'>): TagValue {
  if (value === null || value === '') return { ok: true, value: '' };
  if (config.dateTags.includes(key)) {
    const seconds = toEpochSeconds(value, `Tag ${key}`, { format: config.dateFormat, epochUnit: config.epochUnit, strictEpoch: true });
    return seconds.ok ? { ok: true, value: numberTag(seconds.value) } : seconds;
  }
  if (config.booleanTags.includes(key)) {
    const flag = toBoolean(value, `Tag ${key}`);
    return flag.ok ? { ok: true, value: String(flag.value) } : flag;
  }
  if (typeof value === 'boolean') return { ok: true, value: String(value) };
  if (typeof value === 'number') return { ok: true, value: numberTag(value) };
  return { ok: true, value };
}
