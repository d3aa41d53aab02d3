import { isScientificNotation } from '@syncmodes/connector-kit';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * PHONE: digits only, with the country code, no leading zeros and no extension (Meta's
 * rule), via libphonenumber-js. A national number (`043-797-5229`, `(209)172-7124x3651`)
 * gets the calling code of `defaultCountry` (none: a national number is not read); `+…` numbers keep theirs; `00…` / `011…`
 * international prefixes are understood (`001-…` is read as `+1 …` even where the default
 * country dials out with another prefix; with no country, `00…` only: `011…` is as often a
 * national number with its trunk 0). A number is accepted when its length is possible
 * for its country (`isPossible`); full validity against assigned ranges is not required,
 * because numbering plans change faster than metadata. Returns `undefined` otherwise.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode | undefined): string | undefined {
  const text = raw.trim();
  // A spreadsheet's scientific notation (`4.479E+11`): the digits past the first few are lost (fresh trial 147, F1).
  if (!/\d/.test(text) || isScientificNotation(text)) return undefined;
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (parsed?.isPossible()) return `${parsed.countryCallingCode}${parsed.nationalNumber}`;
  // `00…` (most countries) and `011…` (North America) dial out: read as `+…` whatever the record's country. With no country
  // known, `011…` is not: a national number reads so too (Buenos Aires `011 4312-3456`, Leicester `0116 496 0018`), and was
  // hashed as an Austrian or New Zealand number (fresh reviewer 141, F3).
  const international = (defaultCountry === undefined ? /^\s*00\s*[-.]?\s*(\d.*)$/ : /^\s*0(?:0|11)\s*[-.]?\s*(\d.*)$/).exec(text);
  if (international) {
    const retried = parsePhoneNumberFromString(`+${international[1] as string}`);
    if (retried?.isPossible()) return `${retried.countryCallingCode}${retried.nationalNumber}`;
  }
  return undefined;
}
