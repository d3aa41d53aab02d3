/**
 * The SOQL subset the emulated REST API understands (what the connector emits, plus what
 * jsforce's query builder emits for `find` / `sort` / `limit` / `include`):
 *
 * `SELECT f1, f2, (subquery)… | COUNT() FROM Object [WHERE expr] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n]`
 *
 * with `expr` built from `f op v` (`=`, `!=`, `<`, `<=`, `>`, `>=`, `LIKE`), `f [NOT] IN (v, …)`,
 * `AND`, `OR`, `NOT` and parentheses; `v` a string literal (with `\'`, `\\`, `\n`… escapes),
 * number, date or dateTime literal (`2024-01-31`, `2024-01-31T00:00:00Z`), `true`, `false`
 * or `null`; a subquery `(SELECT f, … FROM ChildRelationship [WHERE …] [ORDER BY …] [LIMIT n])`
 * reads a parent's child records.
 *
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
export type SoqlValue = string | number | boolean | null;

/** Comparison operators of a field expression. */
export type SoqlOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN' | 'NOT IN';

/** One field expression: `field op value` (`IN` / `NOT IN` take several values). */
export interface SoqlCondition {
  readonly field: string;
  readonly op: SoqlOperator;
  readonly values: readonly SoqlValue[];
  /** `LIKE` only: the literal as written between the quotes (`\%` and `\_` match `%` and `_`). */
  readonly pattern?: string | undefined;
}

/** A `WHERE` expression: field expressions joined by `AND`, `OR`, `NOT`. */
export type SoqlExpr = SoqlCondition | { readonly and: readonly SoqlExpr[] } | { readonly or: readonly SoqlExpr[] } | { readonly not: SoqlExpr };

/** One `ORDER BY` item. By default ascending, nulls first. */
export interface SoqlOrder {
  readonly field: string;
  readonly desc: boolean;
  readonly nullsLast: boolean;
}

/** A parent-to-child subquery in the field list: `(SELECT … FROM Contacts …)`. */
export interface SoqlSubquery {
  readonly fields: readonly string[];
  /** The child relationship name (e.g. `Contacts` on Account). */
  readonly relationship: string;
  readonly where?: SoqlExpr | undefined;
  readonly orderBy: readonly SoqlOrder[];
  readonly limit?: number | undefined;
}

/** A parsed query of the SOQL subset. */
export interface SoqlQuery {
  /** `SELECT COUNT() FROM …`: only the number of matching records is answered (`fields` is empty). */
  readonly count?: boolean | undefined;
  readonly fields: readonly string[];
  readonly subqueries: readonly SoqlSubquery[];
  readonly object: string;
  readonly where?: SoqlExpr | undefined;
  readonly orderBy: readonly SoqlOrder[];
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/** A malformed query (answered as `MALFORMED_QUERY`). */
export class SoqlSyntaxError extends Error {}

type Token = { kind: 'word' | 'string' | 'number' | 'date' | 'punct'; text: string; value?: SoqlValue; raw?: string };

const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\', _: '\\_', '%': '\\%' };
const DATE_LITERAL = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2}))?(?![\w:])/;
const OPERATORS = ['<=', '>=', '!=', '<', '>', '='];

function stringToken(soql: string, start: number): { token: Token; end: number } {
  let value = '';
  let i = start + 1;
  for (;;) {
    if (i >= soql.length) throw new SoqlSyntaxError('unterminated string literal');
    const ch = soql.charAt(i);
    if (ch === '\\') {
      const next = soql.charAt(i + 1);
      const escaped = ESCAPES[next] ?? ESCAPES[next.toLowerCase()];
      if (escaped === undefined) throw new SoqlSyntaxError(`invalid escape sequence \\${next}`);
      value += escaped;
      i += 2;
    } else if (ch === "'") {
      return { token: { kind: 'string', text: value, value, raw: soql.slice(start + 1, i) }, end: i + 1 };
    } else {
      value += ch;
      i++;
    }
  }
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql.charAt(i);
    const rest = soql.slice(i);
    const op = OPERATORS.find((o) => rest.startsWith(o));
    let m: RegExpExecArray | null;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      const { token, end } = stringToken(soql, i);
      tokens.push(token);
      i = end;
    } else if (/[(),]/.test(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else if (op) {
      tokens.push({ kind: 'punct', text: op });
      i += op.length;
    } else if ((m = DATE_LITERAL.exec(rest))) {
      tokens.push({ kind: 'date', text: m[0], value: m[0] });
      i += m[0].length;
    } else if ((m = /^-?\d+(\.\d+)?/.exec(rest))) {
      tokens.push({ kind: 'number', text: m[0], value: Number(m[0]) });
      i += m[0].length;
    } else if ((m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest))) {
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else {
      throw new SoqlSyntaxError(`unexpected character '${c}'`);
    }
  }
  return tokens;
}

/** A cursor over the tokens with the small helpers the grammar needs. */
class Tokens {
  private p = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.p + offset];
  }

  next(): Token {
    const t = this.tokens[this.p++];
    if (!t) throw new SoqlSyntaxError('unexpected end of query');
    return t;
  }

  keyword(word: string): boolean {
    const t = this.peek();
    if (t?.kind === 'word' && t.text.toUpperCase() === word) {
      this.p++;
      return true;
    }
    return false;
  }

  expectKeyword(word: string): void {
    if (!this.keyword(word)) throw new SoqlSyntaxError(`expected ${word}`);
  }

  punct(text: string): boolean {
    if (this.peek()?.text === text && this.peek()?.kind === 'punct') {
      this.p++;
      return true;
    }
    return false;
  }

  word(what: string): string {
    const t = this.next();
    if (t.kind !== 'word') throw new SoqlSyntaxError(`unexpected '${t.text}' where ${what} was expected`);
    return t.text;
  }

  done(): boolean {
    return this.p >= this.tokens.length;
  }
}

function value(t: Tokens): SoqlValue {
  const tok = t.next();
  if (tok.kind === 'string' || tok.kind === 'number' || tok.kind === 'date') return tok.value as SoqlValue;
  if (tok.kind === 'word') {
    const w = tok.text.toLowerCase();
    if (w === 'true') return true;
    if (w === 'false') return false;
    if (w === 'null') return null;
  }
  throw new SoqlSyntaxError(`unexpected '${tok.text}' where a value was expected`);
}

function list(t: Tokens): SoqlValue[] {
  if (!t.punct('(')) throw new SoqlSyntaxError('expected (');
  const values = [value(t)];
  while (!t.punct(')')) {
    if (!t.punct(',')) throw new SoqlSyntaxError('expected , or )');
    values.push(value(t));
  }
  return values;
}

function comparison(t: Tokens): SoqlCondition {
  const field = t.word('a field');
  if (t.keyword('NOT')) {
    t.expectKeyword('IN');
    return { field, op: 'NOT IN', values: list(t) };
  }
  if (t.keyword('IN')) return { field, op: 'IN', values: list(t) };
  if (t.keyword('LIKE')) {
    const tok = t.next();
    if (tok.kind !== 'string') throw new SoqlSyntaxError('LIKE needs a string literal');
    return { field, op: 'LIKE', values: [tok.value as string], pattern: tok.raw };
  }
  const op = t.next();
  if (op.kind !== 'punct' || !OPERATORS.includes(op.text)) throw new SoqlSyntaxError(`unsupported operator '${op.text}'`);
  return { field, op: op.text as SoqlOperator, values: [value(t)] };
}

function unary(t: Tokens): SoqlExpr {
  if (t.keyword('NOT')) return { not: unary(t) };
  if (t.punct('(')) {
    const inner = orExpr(t);
    if (!t.punct(')')) throw new SoqlSyntaxError('expected )');
    return inner;
  }
  return comparison(t);
}

function andExpr(t: Tokens): SoqlExpr {
  const items = [unary(t)];
  while (t.keyword('AND')) items.push(unary(t));
  return items.length === 1 ? (items[0] as SoqlExpr) : { and: items };
}

function orExpr(t: Tokens): SoqlExpr {
  const items = [andExpr(t)];
  while (t.keyword('OR')) items.push(andExpr(t));
  return items.length === 1 ? (items[0] as SoqlExpr) : { or: items };
}

function orderBy(t: Tokens): SoqlOrder[] {
  if (!t.keyword('ORDER')) return [];
  t.expectKeyword('BY');
  const items: SoqlOrder[] = [];
  do {
    const field = t.word('a field');
    const desc = t.keyword('DESC');
    if (!desc) t.keyword('ASC');
    let nullsLast = false;
    if (t.keyword('NULLS')) {
      if (t.keyword('LAST')) nullsLast = true;
      else t.expectKeyword('FIRST');
    }
    items.push({ field, desc, nullsLast });
  } while (t.punct(','));
  return items;
}

function count(t: Tokens, word: string): number | undefined {
  if (!t.keyword(word)) return undefined;
  const tok = t.next();
  if (tok.kind !== 'number' || !Number.isInteger(tok.value) || (tok.value as number) < 0) throw new SoqlSyntaxError(`${word} needs a whole number`);
  return tok.value as number;
}

/** `SELECT` list items: fields, `COUNT()`, or subqueries. */
function selectList(t: Tokens, allowSubqueries: boolean): { fields: string[]; subqueries: SoqlSubquery[]; count: boolean } {
  const fields: string[] = [];
  const subqueries: SoqlSubquery[] = [];
  if (t.peek()?.text.toUpperCase() === 'COUNT' && t.peek(1)?.text === '(' && t.peek(2)?.text === ')') {
    t.next();
    t.next();
    t.next();
    return { fields, subqueries, count: true };
  }
  do {
    if (allowSubqueries && t.punct('(')) {
      subqueries.push(subquery(t));
      if (!t.punct(')')) throw new SoqlSyntaxError('expected ) after a subquery');
    } else {
      fields.push(t.word('a field'));
    }
  } while (t.punct(','));
  return { fields, subqueries, count: false };
}

function subquery(t: Tokens): SoqlSubquery {
  t.expectKeyword('SELECT');
  const { fields } = selectList(t, false);
  t.expectKeyword('FROM');
  const relationship = t.word('a child relationship');
  const where = t.keyword('WHERE') ? orExpr(t) : undefined;
  return { fields, relationship, where, orderBy: orderBy(t), limit: count(t, 'LIMIT') };
}

/** Parses a query. @throws {@link SoqlSyntaxError} */
export function parseSoql(soql: string): SoqlQuery {
  const t = new Tokens(tokenize(soql));
  t.expectKeyword('SELECT');
  const { fields, subqueries, count: isCount } = selectList(t, true);
  t.expectKeyword('FROM');
  const object = t.word('an object name');
  const where = t.keyword('WHERE') ? orExpr(t) : undefined;
  const order = orderBy(t);
  const limit = count(t, 'LIMIT');
  const offset = count(t, 'OFFSET');
  if (!t.done()) throw new SoqlSyntaxError(`unexpected '${t.peek()?.text}'`);
  return { count: isCount, fields, subqueries, object, where, orderBy: order, limit, offset };
}

/** The field expressions that every match must satisfy (the top-level `AND`s), for index lookups. */
export function conjuncts(expr: SoqlExpr | undefined): SoqlCondition[] {
  if (!expr) return [];
  if ('and' in expr) return expr.and.flatMap(conjuncts);
  if ('field' in expr) return [expr];
  return [];
}
