import { isSafeNumber, parse } from 'lossless-json';

/**
 * A JSON number as the source wrote it: a JS number when a double holds it exactly, else its
 * decimal text unchanged — integers beyond ±(2^53 − 1) (ids, external ids, account numbers)
 * and numbers whose digits a double would change (more than 15–17 significant digits, or
 * out of range). Exactness is judged by lossless-json's `isSafeNumber`.
 */
function exactNumber(text: string): number | string {
  if (!isSafeNumber(text)) return text;
  const n = Number(text);
  return Number.isInteger(n) && !Number.isSafeInteger(n) ? text : n;
}

/**
 * Text that may hold a number a double cannot keep: 16 or more digits in a row (a `.`
 * between them allowed), or an exponent. A JSON number without an exponent and with at most
 * 15 digits is below 10^15 and has at most 15 significant digits, so `JSON.parse` reads it
 * exactly (every decimal of up to 15 significant digits survives a double); only text that
 * matches here needs the slower lossless parser.
 */
const MAYBE_INEXACT = /(?:\d\.?){16}|\d[eE]/;

/**
 * Parses JSON text so that no number is rounded: see {@link exactNumber}. Text that may
 * hold such a number is read with lossless-json, the rest with `JSON.parse` (about twice
 * as fast, and exact for it). A leading UTF-8 BOM is ignored.
 *
 * @throws a `SyntaxError` when the text is not valid JSON.
 */
export function parseExactJson(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return MAYBE_INEXACT.test(body) ? parse(body, null, exactNumber) : JSON.parse(body);
}
