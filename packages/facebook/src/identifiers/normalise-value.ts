import type { PropertyValue } from '@syncmodes/connector-kit';
import type { CountryCode } from 'libphonenumber-js';
import { normaliseBirthDay, normaliseBirthMonth, normaliseBirthYear, normaliseGender } from './normalise-birth';
import { normaliseCountry } from './normalise-country';
import { withoutInvisible } from './invisible';
import { normaliseEmail } from './normalise-email';
import { normaliseInitial, normaliseName } from './normalise-name';
import { normalisePhone } from './normalise-phone';
import { normaliseCity, normaliseState, normaliseZip } from './normalise-place';
import type { SchemaKey } from './schema-keys';

/** What normalisation needs besides the value. */
export interface NormaliseOptions {
  /** Country whose calling code national phone numbers get (ISO 3166-1 alpha-2); none: only international numbers are read. */
  readonly defaultCountry: CountryCode | undefined;
  /** The latest birth year accepted (DOBY). */
  readonly currentYear: number;
  /** The record's own COUNTRY (ISO 3166-1 alpha-2), when it has one: a US ZIP that lost its leading zeros is padded (see `normaliseZip`). */
  readonly recordCountry?: string | undefined;
}

/** The text of a property value (`null` / blank → `undefined`). */
export function textOf(value: PropertyValue | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim();
  return text === '' ? undefined : text;
}

/**
 * Normalises one raw value for a schema key, as Meta specifies for customer lists (hashed keys
 * first lose invisible format characters: {@link withoutInvisible}); returns
 * `undefined` when the value cannot be used (it is then sent as `""`). Hashing is separate
 * (see `identityRow`).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseValue(key: SchemaKey, raw: string, options: NormaliseOptions): string | undefined {
  return key === 'MADID' || key === 'EXTERN_ID' ? normaliseClear(key, raw) : normaliseHashed(key, withoutInvisible(raw), options);
}

/**
 * The advertising id a device reports when the user did not allow tracking (iOS App Tracking
 * Transparency, the default since iOS 14.5) or deleted it (Android): all zeros. It names
 * nobody; taken for an identifier, every such row was one audience member (fresh trial 145, F1).
 * https://developer.apple.com/documentation/adsupport/asidentifiermanager/advertisingidentifier ,
 * https://support.google.com/googleplay/android-developer/answer/6048248
 */
export function isZeroAdvertisingId(raw: string): boolean {
  // Also with invisible characters or braces around it (`{00000000-…}`, as some exports write GUIDs).
  return /^\{?0{8}-?0{4}-?0{4}-?0{4}-?0{12}\}?$/.test(withoutInvisible(raw).trim());
}

/**
 * MADID and EXTERN_ID, sent in clear and matched as they were uploaded before: only trimmed
 * (MADID lowercased), never otherwise changed; `undefined` for the all-zero MADID
 * ({@link isZeroAdvertisingId}).
 */
function normaliseClear(key: 'MADID' | 'EXTERN_ID', raw: string): string | undefined {
  // Mobile advertiser ids: lowercase, hyphens kept, never hashed; the advertiser's own id: sent as it is, never hashed.
  if (key === 'MADID') return isZeroAdvertisingId(raw) ? undefined : raw.trim().toLowerCase();
  return raw.trim();
}

/**
 * A key that is hashed, its value without invisible format characters (see
 * {@link withoutInvisible}: none is part of an email, phone, name, place, birth date or gender).
 */
function normaliseHashed(key: Exclude<SchemaKey, 'MADID' | 'EXTERN_ID'>, raw: string, options: NormaliseOptions): string | undefined {
  switch (key) {
    case 'EMAIL':
      return normaliseEmail(raw);
    case 'PHONE':
      return normalisePhone(raw, options.defaultCountry);
    case 'FN':
    case 'LN':
      return normaliseName(raw);
    case 'FI':
      return normaliseInitial(raw);
    case 'CT':
      return normaliseCity(raw);
    case 'ST':
      return normaliseState(raw);
    case 'ZIP':
      return normaliseZip(raw, options.recordCountry);
    case 'COUNTRY':
      return normaliseCountry(raw);
    case 'DOBY':
      return normaliseBirthYear(raw, options.currentYear);
    case 'DOBM':
      return normaliseBirthMonth(raw, options.currentYear);
    case 'DOBD':
      return normaliseBirthDay(raw, options.currentYear);
    case 'GEN':
      return normaliseGender(raw);
  }
}
