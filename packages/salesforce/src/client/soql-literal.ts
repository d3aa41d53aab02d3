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

/**
 * Splits values into `IN (…)` lists whose URL-encoded length stays under `budget`
 * characters, so a GET query stays under Salesforce's 16,384-character URI limit.
 */
export function inListsWithin(values: readonly string[], budget: number): string[][] {
  const lists: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const v of values) {
    const cost = encodeURIComponent(soqlLiteral(v)).length + 3;
    if (current.length > 0 && length + cost > budget) {
      lists.push(current);
      current = [];
      length = 0;
    }
    current.push(v);
    length += cost;
  }
  if (current.length > 0) lists.push(current);
  return lists;
}
