/**
 * Escapes a value as a SOQL string literal: backslash, single quote and control
 * characters are backslash-escaped, then the value is quoted.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 */
export function soqlLiteral(value: string): string {
  const escaped = value
    .replace(/\\/g, '\\\\')
    .replace(/'/g, "\\'")
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t')
    .replace(/\f/g, '\\f')
    .replaceAll('\b', '\\b');
  return `'${escaped}'`;
}

/** The separator between the literals of an `IN (…)` list, `, `, as the longest URL encoding writes it (`%2C%20`). */
const SEPARATOR_COST = 6;

/** A text's length once URL-encoded the strictest way (RFC 3986: `'`, `(`, `)`, `!`, `*` encoded too, as a client may). */
export function encodedLength(text: string): number {
  return encodeURIComponent(text).replace(/[!'()*]/g, '%XX').length;
}

/**
 * Splits `items` into lists whose summed `costOf` stays under `budget` (an item costing more
 * than the budget alone is a list of its own), in order.
 */
export function listsWithin<T>(items: readonly T[], costOf: (item: T) => number, budget: number): T[][] {
  const lists: T[][] = [];
  let current: T[] = [];
  let length = 0;
  for (const item of items) {
    const cost = costOf(item);
    if (current.length > 0 && length + cost > budget) {
      lists.push(current);
      current = [];
      length = 0;
    }
    current.push(item);
    length += cost;
  }
  if (current.length > 0) lists.push(current);
  return lists;
}

/**
 * Splits values into `IN (…)` lists whose URL-encoded length stays under `budget`
 * characters, so a GET query stays under Salesforce's 16,384-character URI limit. Each
 * value counts as its literal and a separator, encoded the longest way: counted as
 * `encodeURIComponent` writes it (quotes unencoded) and a 3-character separator, 1,300 short keys
 * made a URI of about 21,000 characters, and the whole lookup failed `uri_too_long` (fresh
 * helper 67, finding 1).
 */
export function inListsWithin(values: readonly string[], budget: number): string[][] {
  return listsWithin(values, (v) => encodedLength(soqlLiteral(v)) + SEPARATOR_COST, budget);
}

/**
 * A `LIKE` pattern as a SOQL literal matching `text` with any characters where it has a space
 * (`%` for each), its own `%` and `_` escaped (`\%`, `\_`) and the rest as {@link soqlLiteral}
 * escapes it: `Spring Promo` → `'Spring%Promo'`.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
 */
export function soqlLikeAnySpacing(text: string): string {
  return `'${text.split(' ').map((word) => soqlLiteral(word).slice(1, -1).replace(/[%_]/g, (c) => `\\${c}`)).join('%')}'`;
}
