import { createHash } from 'node:crypto';
import countries from 'i18n-iso-countries';
import { AMBIGUOUS_COUNTRY_NAMES, COUNTRY_ALIASES } from './country-aliases';

/**
 * The ISO 3166-1 alpha-2 code of a country, uppercase, or `undefined` when it cannot be
 * told: accepts alpha-2 and alpha-3 codes and English names (i18n-iso-countries, which
 * ignores case and accents), retrying without a parenthetical ("Slovakia (Slovak
 * Republic)", "Antarctica (the territory South of 60 deg S)") and with `&` read as `and`,
 * with a small alias table ({@link COUNTRY_ALIASES}) read first. Ambiguous names
 * ({@link AMBIGUOUS_COUNTRY_NAMES}: "Congo") and withdrawn ones are not guessed.
 */
export function countryCode(raw: string): string | undefined {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '') return undefined;
  if (/^[A-Za-z]{2}$/.test(text) && countries.isValid(text.toUpperCase())) return text.toUpperCase();
  if (/^[A-Za-z]{3}$/.test(text)) {
    const fromAlpha3 = countries.alpha3ToAlpha2(text.toUpperCase());
    if (fromAlpha3) return fromAlpha3;
  }
  const candidates = new Set([text, text.replace(/\s*\(.*?\)\s*/g, ' ').trim(), text.replace(/\s*&\s*/g, ' and ')]);
  candidates.add(text.replace(/\s*\(.*?\)\s*/g, ' ').replace(/\s*&\s*/g, ' and ').trim());
  for (const name of candidates) {
    if (AMBIGUOUS_COUNTRY_NAMES.has(name.toLowerCase())) continue;
    const code = COUNTRY_ALIASES.get(name.toLowerCase()) ?? countries.getAlpha2Code(name, 'en');
    if (code) return code;
  }
  return undefined;
}

/**
 * COUNTRY: the lowercase ISO 3166-1 alpha-2 code (Meta's rule), e.g. `Norway` → `no`.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseCountry(raw: string): string | undefined {
  if (known.has(raw)) return known.get(raw);
  const code = countryCode(raw)?.toLowerCase();
  if (known.size >= KNOWN_LIMIT) known.clear();
  known.set(raw, code);
  return code;
}

/** Country names repeat across a file: their codes are remembered (at most {@link KNOWN_LIMIT}). */
const known = new Map<string, string | undefined>();
const KNOWN_LIMIT = 2_000;

/** SHA-256 hex of each lowercase alpha-2 code → the code (uppercase), built on first use. */
let digests: Map<string, string> | undefined;

/**
 * The country a COUNTRY value sent already hashed names: the alpha-2 code (uppercase) whose
 * lowercase SHA-256 it is, or `undefined` when it is no code's digest (fresh helper 69: a
 * hashed COUNTRY India read a national phone number as American).
 */
export function countryOfDigest(digest: string): string | undefined {
  digests ??= new Map(Object.keys(countries.getAlpha2Codes()).map((code) => [createHash('sha256').update(code.toLowerCase()).digest('hex'), code]));
  return digests.get(digest.toLowerCase());
}
