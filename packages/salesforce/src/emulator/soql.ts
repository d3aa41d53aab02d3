/**
 * The SOQL subset the emulated REST API understands (what the connector emits):
 *
 * `SELECT f1, f2 | COUNT() FROM Object [WHERE cond [AND cond]…] [ORDER BY f [ASC|DESC]] [LIMIT n]`
 * with `cond` = `f = v` | `f != v` | `f IN (v, …)` | `f NOT IN (v, …)`, and `v` a string
 * literal (with `\'`, `\\`, `\n`… escapes), number, `true`, `false` or `null`.
 * Text comparisons are case-insensitive, as in Salesforce.
 *
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 */
export type SoqlValue = string | number | boolean | null;

/** One `WHERE` condition of the SOQL subset the emulator answers (conditions are ANDed). */
export interface SoqlCondition {
  readonly field: string;
  readonly op: '=' | '!=' | 'IN' | 'NOT IN';
  readonly values: readonly SoqlValue[];
}

/** A parsed query of the SOQL subset: `SELECT fields|COUNT() FROM object [WHERE …] [ORDER BY …] [LIMIT n]`. */
export interface SoqlQuery {
  /** `SELECT COUNT() FROM …`: only the number of matching records is answered (`fields` is empty). */
  readonly count?: boolean | undefined;
  readonly fields: readonly string[];
  readonly object: string;
  readonly where: readonly SoqlCondition[];
  readonly orderBy?: { readonly field: string; readonly desc: boolean } | undefined;
  readonly limit?: number | undefined;
}

/** A malformed query (answered as `MALFORMED_QUERY`). */
export class SoqlSyntaxError extends Error {}

type Token = { kind: 'word' | 'string' | 'number' | 'punct'; text: string; value?: SoqlValue };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', _: '\\_', '%': '\\%' };

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw new SoqlSyntaxError('unterminated string literal');
        const ch = soql.charAt(i);
        if (ch === '\\') {
          const next = soql.charAt(i + 1);
          const escaped = ESCAPES[next];
          if (escaped === undefined) throw new SoqlSyntaxError(`invalid escape sequence \\${next}`);
          value += escaped;
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: value, value });
    } else if (/[(),]/.test(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (c === '!' && soql.charAt(i + 1) === '=') {
      tokens.push({ kind: 'punct', text: '!=' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ kind: 'punct', text: '=' });
      i++;
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(soql.slice(i));
      if (!m) throw new SoqlSyntaxError(`unexpected '${c}'`);
      tokens.push({ kind: 'number', text: m[0], value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(soql.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else {
      throw new SoqlSyntaxError(`unexpected character '${c}'`);
    }
  }
  return tokens;
}

/** Parses a query. @throws {@link SoqlSyntaxError} */
export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let p = 0;
  const peek = () => tokens[p];
  const next = () => {
    const t = tokens[p++];
    if (!t) throw new SoqlSyntaxError('unexpected end of query');
    return t;
  };
  const keyword = (word: string) => {
    const t = peek();
    if (t?.kind === 'word' && t.text.toUpperCase() === word) {
      p++;
      return true;
    }
    return false;
  };
  const expectKeyword = (word: string) => {
    if (!keyword(word)) throw new SoqlSyntaxError(`expected ${word}`);
  };
  const value = (): SoqlValue => {
    const t = next();
    if (t.kind === 'string' || t.kind === 'number') return t.value as SoqlValue;
    if (t.kind === 'word') {
      const w = t.text.toLowerCase();
      if (w === 'true') return true;
      if (w === 'false') return false;
      if (w === 'null') return null;
    }
    throw new SoqlSyntaxError(`unexpected '${t.text}' where a value was expected`);
  };
  const list = (): SoqlValue[] => {
    if (next().text !== '(') throw new SoqlSyntaxError('expected (');
    const values = [value()];
    for (;;) {
      const t = next();
      if (t.text === ')') return values;
      if (t.text !== ',') throw new SoqlSyntaxError('expected , or )');
      values.push(value());
    }
  };

  expectKeyword('SELECT');
  const fields: string[] = [];
  const count = peek()?.kind === 'word' && peek()?.text.toUpperCase() === 'COUNT' && tokens[p + 1]?.text === '(' && tokens[p + 2]?.text === ')';
  if (count) p += 3;
  for (; !count; ) {
    const t = next();
    if (t.kind !== 'word') throw new SoqlSyntaxError(`unexpected '${t.text}' in field list`);
    fields.push(t.text);
    if (peek()?.text === ',') p++;
    else break;
  }
  expectKeyword('FROM');
  const objectToken = next();
  if (objectToken.kind !== 'word') throw new SoqlSyntaxError('expected an object name');
  const where: SoqlCondition[] = [];
  if (keyword('WHERE')) {
    for (;;) {
      const f = next();
      if (f.kind !== 'word') throw new SoqlSyntaxError(`unexpected '${f.text}'`);
      if (keyword('NOT')) {
        expectKeyword('IN');
        where.push({ field: f.text, op: 'NOT IN', values: list() });
      } else if (keyword('IN')) {
        where.push({ field: f.text, op: 'IN', values: list() });
      } else {
        const op = next().text;
        if (op !== '=' && op !== '!=') throw new SoqlSyntaxError(`unsupported operator '${op}'`);
        where.push({ field: f.text, op, values: [value()] });
      }
      if (!keyword('AND')) break;
    }
  }
  let orderBy: SoqlQuery['orderBy'];
  if (keyword('ORDER')) {
    expectKeyword('BY');
    const f = next();
    const desc = keyword('DESC');
    if (!desc) keyword('ASC');
    orderBy = { field: f.text, desc };
  }
  let limit: number | undefined;
  if (keyword('LIMIT')) {
    const t = next();
    if (t.kind !== 'number') throw new SoqlSyntaxError('LIMIT needs a number');
    limit = Number(t.value);
  }
  if (p !== tokens.length) throw new SoqlSyntaxError(`unexpected '${peek()?.text}'`);
  return { count, fields, object: objectToken.text, where, orderBy, limit };
}

function same(a: unknown, b: SoqlValue): boolean {
  if (b === null) return a === null || a === undefined;
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

/** Whether a record (field → value, canonical field names) satisfies every condition. */
export function matches(record: Readonly<Record<string, unknown>>, where: readonly SoqlCondition[]): boolean {
  return where.every((c) => {
    const v = record[c.field];
    const hit = c.values.some((x) => same(v, x));
    return c.op === '=' || c.op === 'IN' ? hit : !hit;
  });
}
