import { US_STATE_CODES } from './us-states';

/** Latin letters that carry no combining mark to strip: written as their usual a-z spelling. */
const LATIN_FOLDS: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i', ħ: 'h', ŧ: 't', ŋ: 'n' };

/**
 * Letters a-z only: accents stripped and compatibility forms (fullwidth `Ｔｏｋｙｏ`, the `ﬁ`
 * ligature, `Ĳ`, `ſ`) spelled plainly (NFKD, marks removed), letters such as `ß`, `ł`, `ø`
 * spelled in a-z, then punctuation, digits, symbols and spaces removed. `undefined` when a
 * letter of another script remains (`Москва`, `東京`): Meta takes a-z only, and a city
 * with its letters dropped would be another value (fresh trial 145, F4: `москва` was hashed).
 */
function lettersOnly(raw: string): string | undefined {
  const letters = raw.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[ßæœøłđðþıħŧŋ]/g, (c) => LATIN_FOLDS[c] ?? c).replace(/[^\p{L}]/gu, '');
  return /^[a-z]*$/.test(letters) ? letters : undefined;
}

/**
 * CT: "a-z only, lowercase, no punctuation, no special characters, no white space" (Meta):
 * `São Paulo` → `saopaulo`, `Weißenfels` → `weissenfels`, `Lake Jeffborough` →
 * `lakejeffborough`. `undefined` when empty or written in another script (it is then sent
 * empty, and the run's `values_sent_empty` notice says so).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseCity(raw: string): string | undefined {
  const city = lettersOnly(raw);
  return city === '' ? undefined : city;
}

/**
 * ST: a US state as its two-letter ANSI code, lowercase (`California` and `CA` → `ca`);
 * any other state or province lowercase without punctuation, special characters or spaces
 * (a-z only, as CT: `undefined` when written in another script).
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseState(raw: string): string | undefined {
  const state = lettersOnly(raw);
  if (state === undefined || state === '') return undefined;
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
