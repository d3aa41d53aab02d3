/**
 * Unicode format characters (general category Cf): zero-width space (U+200B), zero-width
 * non-joiner and joiner (U+200C, U+200D), word joiner (U+2060), soft hyphen (U+00AD), byte
 * order mark (U+FEFF), bidirectional marks… They are invisible, carry no letter, digit or
 * address, and come along when values are copied from web pages, spreadsheets or PDFs.
 * https://www.unicode.org/reports/tr44/#General_Category_Values
 */
const FORMAT_CHARACTERS = /\p{Cf}/gu;

/**
 * `text` without Unicode format characters. Meta hashes the normalised value byte by byte
 * (trimmed, lowercased; https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences),
 * so an invisible character left in makes a hash that matches nobody while the row is
 * counted as uploaded.
 */
export function withoutInvisible(text: string): string {
  return text.replace(FORMAT_CHARACTERS, '');
}
