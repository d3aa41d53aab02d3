import pg from 'pg';

/** Postgres type oids (`pg_type.oid`) the source reads other than as text. https://www.postgresql.org/docs/15/datatype-oid.html */
const BOOL = 16;
const TIMESTAMPTZ = 1184;
const JSON_OID = 114;
const JSONB = 3802;
/** Array types of the built-in scalar types (`_bool`, `_int4`, `_text`, `_json`, …). */
const ARRAYS = new Set([199, 1000, 1005, 1007, 1009, 1014, 1015, 1016, 1021, 1022, 1115, 1182, 1185, 1231, 2951, 3807]);

/**
 * How the Postgres source reads values, so that a row looks like a CSV row to the kit's
 * mapping and the destinations' value coercion: every value as its text (integers of any
 * size and numerics keep every digit; dates stay `YYYY-MM-DD`), except booleans as
 * `true` / `false`, `timestamptz` as an ISO 8601 instant in UTC, and JSON and arrays as
 * parsed values, which the mapping refuses for the row (`unsupported_value`: map a plain
 * column or cast it in the query).
 */
export function sourceTypeParser(oid: number): (text: string) => unknown {
  if (oid === BOOL) return (text) => (text === 't' ? 'true' : 'false');
  if (oid === TIMESTAMPTZ) {
    const parse = pg.types.getTypeParser(TIMESTAMPTZ, 'text') as (text: string) => Date | number;
    return (text) => {
      const value = parse(text);
      return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : text;
    };
  }
  if (oid === JSON_OID || oid === JSONB || ARRAYS.has(oid)) return pg.types.getTypeParser(oid, 'text') as (text: string) => unknown;
  return (text) => text;
}
