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
 * rule). `undefined` when empty.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normaliseZip(raw: string): string | undefined {
  const zip = raw.trim().toLowerCase().replace(/\s+/g, '');
  if (zip === '') return undefined;
  const us = /^(\d{5})-?\d{4}$/.exec(zip);
  return us ? (us[1] as string) : zip;
}
