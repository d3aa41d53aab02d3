import type { SoqlCondition, SoqlExpr, SoqlOrder, SoqlValue } from './soql';

/**
 * How the emulator evaluates SOQL conditions and ORDER BY on stored records (field names
 * already canonical):
 *
 * - text comparisons (`=`, `!=`, `<`, `>`, `IN`, `LIKE`) are case-insensitive, except on a
 *   unique case-sensitive field ("Comparisons on strings are case-sensitive for unique
 *   case-sensitive fields and case-insensitive for all other fields"; "Operators are case
 *   insensitive for most fields, but case sensitive for case-sensitive fields", fieldExpression);
 *   https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_fieldexpression.htm
 *   https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
 * - `LIKE`: `%` matches zero or more characters, `_` exactly one; `\%` and `\_` match the
 *   characters themselves; https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 * - a null field satisfies only `= null` (and `!=` any non-null value);
 * - ORDER BY: ascending unless DESC, null values first unless NULLS LAST, text sorted case
 *   insensitively (English locale: by the upper-case UTF-8 values), several columns in turn.
 *   https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_orderby.htm
 */
type Row = Readonly<Record<string, unknown>>;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T.*)?$/;

/** Orders two non-null values: numbers by value, dates by time, text by upper-case code units, booleans false < true. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  if (ISO_DATE.test(x) && ISO_DATE.test(y)) return Date.parse(x.length === 10 ? `${x}T00:00:00Z` : x) - Date.parse(y.length === 10 ? `${y}T00:00:00Z` : y);
  const ux = x.toUpperCase();
  const uy = y.toUpperCase();
  return ux < uy ? -1 : ux > uy ? 1 : 0;
}

function equals(a: unknown, b: SoqlValue, exact: boolean): boolean {
  if (b === null) return a === null || a === undefined;
  if (a === null || a === undefined) return false;
  if (typeof a === 'string' && typeof b === 'string') return exact ? a === b : a.toLowerCase() === b.toLowerCase();
  if (typeof a === 'string' && ISO_DATE.test(a) && typeof b === 'string') return compareValues(a, b) === 0;
  return a === b;
}

/** A LIKE pattern (as written between the quotes) as a regular expression. */
export function likeRegex(pattern: string, caseSensitive = false): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) {
      const next = pattern.charAt(++i);
      const plain: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' };
      source += escapeRegex(plain[next.toLowerCase()] ?? next);
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += escapeRegex(c);
  }
  return new RegExp(`^${source}$`, caseSensitive ? '' : 'i');
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a field compares text case-sensitively (unique case-sensitive fields). */
export type CaseSensitive = (field: string) => boolean;

function holds(row: Row, c: SoqlCondition, caseSensitive: CaseSensitive): boolean {
  const v = row[c.field];
  const exact = caseSensitive(c.field);
  switch (c.op) {
    case '=':
      return equals(v, c.values[0] ?? null, exact);
    case '!=':
      return !equals(v, c.values[0] ?? null, exact);
    case 'IN':
      return c.values.some((x) => equals(v, x, exact));
    case 'NOT IN':
      return !c.values.some((x) => equals(v, x, exact));
    case 'LIKE':
      return typeof v === 'string' && likeRegex(c.pattern ?? String(c.values[0] ?? ''), exact).test(v);
    default: {
      const x = c.values[0];
      if (v === null || v === undefined || x === null || x === undefined) return false;
      const order = exact && typeof v === 'string' && typeof x === 'string' ? (v < x ? -1 : v > x ? 1 : 0) : compareValues(v, x);
      return c.op === '<' ? order < 0 : c.op === '<=' ? order <= 0 : c.op === '>' ? order > 0 : order >= 0;
    }
  }
}

/** Whether a record satisfies a WHERE expression (none: every record does); `caseSensitive` names the fields compared exactly. */
export function matches(row: Row, expr: SoqlExpr | undefined, caseSensitive: CaseSensitive = () => false): boolean {
  if (!expr) return true;
  if ('and' in expr) return expr.and.every((e) => matches(row, e, caseSensitive));
  if ('or' in expr) return expr.or.some((e) => matches(row, e, caseSensitive));
  if ('not' in expr) return !matches(row, expr.not, caseSensitive);
  return holds(row, expr, caseSensitive);
}

/** Sorts rows by ORDER BY items (stable: ties keep their order). `binary` fields (ids) compare exactly. */
export function sortRows<T extends Row>(rows: T[], order: readonly SoqlOrder[], binary: (field: string) => boolean = () => false): T[] {
  if (order.length === 0) return rows;
  return rows.sort((a, b) => {
    for (const o of order) {
      const x = a[o.field];
      const y = b[o.field];
      const xNull = x === null || x === undefined;
      const yNull = y === null || y === undefined;
      if (xNull || yNull) {
        if (xNull && yNull) continue;
        return (xNull ? -1 : 1) * (o.nullsLast ? -1 : 1);
      }
      const c = binary(o.field) ? (String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0) : compareValues(x, y);
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
}
