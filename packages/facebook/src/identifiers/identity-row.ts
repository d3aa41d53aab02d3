import type { Properties } from '@syncmodes/connector-kit';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { withoutInvisible } from './invisible';
import { countryCode, countryOfDigest } from './normalise-country';
import { normaliseValue, textOf, type NormaliseOptions } from './normalise-value';
import { CLEAR_KEYS, IDENTIFYING_KEYS, SCHEMA_KEYS, type SchemaKey } from './schema-keys';
import { isEmptyDigest, isSha256Hex, sha256Hex } from './sha256';

/** A person as one row of Meta's fixed schema, with what normalisation dropped. */
export interface IdentityRow {
  /** Values in {@link SCHEMA_KEYS} order: hashed (or clear for EXTERN_ID / MADID), `""` where missing. */
  readonly row: readonly string[];
  /** Keys given a value the rules could not use (sent as `""`), with the raw value's key only (never the value). */
  readonly dropped: readonly SchemaKey[];
  /** Whether at least one identifying key (EMAIL, PHONE, MADID, EXTERN_ID) has a value. */
  readonly usable: boolean;
}

/**
 * The text of a key's value, `undefined` when missing: also the SHA-256 of `""` in a key
 * that takes pre-hashed values (a blank cell of a column hashed before export), which
 * names nobody — taken for an identifier, it made every such row one person
 * (`duplicate_match_key`) or uploaded the empty digest as the person's value.
 */
function rawOf(key: SchemaKey, identity: Properties): string | undefined {
  const raw = textOf(identity[key]);
  if (raw === undefined || (!CLEAR_KEYS.has(key) && isEmptyDigest(raw))) return undefined;
  return raw;
}

/**
 * One cell of the row: `""` when the key is not mapped or empty, `undefined` when a value
 * was given but cannot be used, else the hashed (or clear) normalised value.
 */
function cellValue(key: SchemaKey, identity: Properties, options: NormaliseOptions): string | undefined {
  const raw = rawOf(key, identity);
  if (raw === undefined) return '';
  if (!CLEAR_KEYS.has(key) && isSha256Hex(raw)) return raw.toLowerCase();
  const value = normaliseValue(key, raw, key === 'PHONE' ? { ...options, defaultCountry: phoneRegion(identity, options) } : key === 'ZIP' ? { ...options, recordCountry: ownCountry(identity) } : options);
  if (value === undefined || value === '') return undefined;
  return CLEAR_KEYS.has(key) ? value : sha256Hex(value);
}

/**
 * The country a record's national phone number is read in: its own COUNTRY when it has one
 * (Meta: the phone's country code is prefixed from COUNTRY "if COUNTRY field is not
 * specified", the default country), else `defaultCountry`. A COUNTRY that names no country
 * with a numbering plan gives none: only an international number (`+…`, `00…`) is then used,
 * never one read with another country's calling code (a Mexico City number read as US is a
 * New Jersey number: fresh helper 68, finding 1).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
function phoneRegion(identity: Properties, options: NormaliseOptions): CountryCode | undefined {
  if (rawOf('COUNTRY', identity) === undefined) return options.defaultCountry;
  const code = ownCountry(identity);
  return code !== undefined && isSupportedCountry(code) ? code : undefined;
}

/** The record's own COUNTRY as an alpha-2 code (uppercase), `undefined` when it has none or it names no country. */
function ownCountry(identity: Properties): string | undefined {
  const country = rawOf('COUNTRY', identity);
  if (country === undefined) return undefined;
  // A COUNTRY sent already hashed is the digest of a lowercase alpha-2 code (Meta's rule): told back from the ~250 codes.
  return isSha256Hex(country) ? countryOfDigest(country) : countryCode(withoutInvisible(country));
}

/**
 * Builds the row Meta receives for a person: each mapped schema key normalised as Meta
 * specifies, then SHA-256 hashed (lowercase hex) — except EXTERN_ID and MADID, which are
 * sent in clear, and values that already are SHA-256 digests, which are passed through
 * once (lowercased). Unmapped or unusable values are `""`.
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 */
export function identityRow(identity: Properties, options: NormaliseOptions): IdentityRow {
  const dropped: SchemaKey[] = [];
  const row = SCHEMA_KEYS.map((key) => {
    const value = cellValue(key, identity, options);
    if (value === undefined) dropped.push(key);
    return value ?? '';
  });
  const usable = IDENTIFYING_KEYS.some((key) => row[SCHEMA_KEYS.indexOf(key)] !== '');
  return { row, dropped, usable };
}

/**
 * The person's match key, used to find two records naming the same person: the first
 * identifying key with a usable value, as `KEY:<hash or clear value>`; `undefined` when
 * the record has no usable identifier.
 */
export function identityKey(identity: Properties, options: NormaliseOptions): string | undefined {
  for (const key of IDENTIFYING_KEYS) {
    const value = cellValue(key, identity, options);
    if (value) return `${key}:${value}`;
  }
  return undefined;
}

/**
 * Every identifying key with a usable value, each as `KEY:<hash or clear value>` (the match
 * key first): Meta matches a row by any of them, so two people sharing one (a household's
 * phone) may be one audience member.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash
 */
export function identityKeys(identity: Properties, options: NormaliseOptions): string[] {
  const keys: string[] = [];
  for (const key of IDENTIFYING_KEYS) {
    const value = cellValue(key, identity, options);
    if (value) keys.push(`${key}:${value}`);
  }
  return keys;
}
