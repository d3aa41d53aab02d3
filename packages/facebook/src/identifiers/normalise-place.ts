import { US_STATE_CODES } from './us-states';

/** Lowercase letters only: accents stripped (NFD, marks removed), then punctuation, digits, symbols and spaces removed. */
function lettersOnly(raw: string): string {
  return raw.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}]/gu, '');
}

/**
 * CT: "a-z only, lowercase, no punctuation, no special characters, no white space" (Meta):
 * `São Paulo` → `saopaulo`, `Lake Jeffborough` → `lakejeffborough`. `undefined` when empty.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseCity(raw: string): string | undefined {
  const city = lettersOnly(raw);
  return city === '' ? undefined : city;
}

/**
 * ST: a US state as its two-letter ANSI code, lowercase (`California` and `CA` → `ca`);
 * any other state or province lowercase without punctuation, special characters or spaces.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseState(raw: string): string | undefined {
  const state = lettersOnly(raw);
  if (state === '') return undefined;
  return US_STATE_CODES.get(state) ?? state;
}

/**
 * ZIP: lowercase, no spaces; a US ZIP+4 (`94025-1234`) keeps its first five digits (Meta's
 * rule). A record whose own COUNTRY is the US or a US territory (`country`) with a ZIP of 3 or
 * 4 digits (or such a ZIP+4, `2134-5678` or `21345678`) has it padded with zeros to 5: US ZIPs are 5 digits, and a spreadsheet drops their
 * leading zeros (`02134` → `2134`; fresh helper 103, F4: hashed as it was, it matched nobody).
 * Without a COUNTRY nothing is padded: 4-digit postcodes are whole elsewhere (Australia,
 * Switzerland, Denmark…). `undefined` when empty.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseZip(raw: string, country?: string): string | undefined {
  const zip = raw.trim().toLowerCase().replace(/\s+/g, '');
  if (zip === '') return undefined;
  const us = /^(\d{5})-?\d{4}$/.exec(zip);
  if (us) return us[1] as string;
  const short = country !== undefined && US_ZIP_AREAS.has(country.toUpperCase()) ? /^(\d{3,4})-?\d{4}$|^(\d{3,4})$/.exec(zip) : null;
  return short ? ((short[1] ?? short[2]) as string).padStart(5, '0') : zip;
}

/** Countries with US ZIP codes: the US and its territories (Puerto Rico's `009xx` lose two zeros in a spreadsheet). */
const US_ZIP_AREAS: ReadonlySet<string> = new Set(['US', 'PR', 'VI', 'GU', 'AS', 'MP', 'UM']);
