import { IntercomApiError } from './api-errors';
import type { CustomAttribute, DataType } from './data-attributes';
import type { StoredContact } from './stored-contact';

/** Most filters in one AND / OR group, and deepest nesting (Intercom's documented limits). */
export const MAX_FILTERS_PER_GROUP = 15;
export const MAX_NESTING = 2;

type FieldKind = DataType | 'tag_id';
const STANDARD_FIELDS: Readonly<Record<string, FieldKind>> = {
  id: 'string',
  role: 'string',
  name: 'string',
  email: 'string',
  email_domain: 'string',
  phone: 'string',
  external_id: 'string',
  avatar: 'string',
  owner_id: 'integer',
  created_at: 'date',
  updated_at: 'date',
  signed_up_at: 'date',
  last_seen_at: 'date',
  unsubscribed_from_emails: 'boolean',
  tag_id: 'tag_id',
};
/** Fields compared case-insensitively. */
const CASELESS = new Set(['email', 'email_domain']);

const OPERATORS: Readonly<Record<FieldKind, readonly string[]>> = {
  string: ['=', '!=', 'IN', 'NIN', '~', '!~', '^', '$'],
  integer: ['=', '!=', 'IN', 'NIN', '<', '>', '<=', '>='],
  float: ['=', '!=', 'IN', 'NIN', '<', '>', '<=', '>='],
  boolean: ['=', '!=', 'IN', 'NIN'],
  date: ['=', '<', '>'],
  tag_id: ['=', '!='],
};

const bad = (message: string) => new IntercomApiError(400, 'parameter_invalid', message, 'query');

function fieldValue(c: StoredContact, field: string): unknown {
  if (field.startsWith('custom_attributes.')) return c.custom_attributes[field.slice('custom_attributes.'.length)] ?? null;
  if (field === 'email_domain') return c.email?.includes('@') ? c.email.slice(c.email.indexOf('@') + 1) : null;
  return (c as unknown as Record<string, unknown>)[field] ?? null;
}

const DAY = 86_400;
const startOfDay = (sec: number) => Math.floor(sec / DAY) * DAY;

/** A compiled filter: does this contact match? */
type Predicate = (c: StoredContact) => boolean;

function compileSingle(filter: Record<string, unknown>, attributes: ReadonlyMap<string, CustomAttribute>): Predicate {
  const { field, operator, value } = filter;
  if (typeof field !== 'string') throw bad('Each filter needs a field');
  let kind: FieldKind | undefined = STANDARD_FIELDS[field];
  if (field.startsWith('custom_attributes.')) kind = attributes.get(field.slice('custom_attributes.'.length))?.data_type;
  if (!kind) throw bad(`${field} is not a searchable contact field`);
  if (typeof operator !== 'string' || !OPERATORS[kind].includes(operator)) {
    throw bad(`The operator ${String(operator)} is not supported for ${field}`);
  }
  const list = operator === 'IN' || operator === 'NIN';
  if (list !== Array.isArray(value)) throw bad(list ? `${operator} needs an array value` : `${operator} needs a single value`);
  const caseless = CASELESS.has(field) || operator === '~' || operator === '!~';
  const norm = (v: unknown): unknown => (typeof v === 'string' && caseless ? v.toLowerCase() : v);
  const wanted = list ? new Set((value as unknown[]).map(norm)) : norm(value);

  if (kind === 'tag_id') {
    return (c) => c.tag_ids.includes(String(value)) === (operator === '=');
  }
  if (kind === 'date') {
    const day = startOfDay(Number(value));
    return (c) => {
      const v = fieldValue(c, field);
      if (typeof v !== 'number') return false;
      if (operator === '=') return startOfDay(v) === day;
      if (operator === '>') return v >= day + DAY;
      return v < day;
    };
  }
  return (c) => {
    const v = norm(fieldValue(c, field));
    switch (operator) {
      case '=':
        return v === wanted;
      case '!=':
        return v !== wanted;
      case 'IN':
        return (wanted as Set<unknown>).has(v);
      case 'NIN':
        return !(wanted as Set<unknown>).has(v);
      case '~':
        return typeof v === 'string' && v.includes(String(wanted));
      case '!~':
        return typeof v !== 'string' || !v.includes(String(wanted));
      case '^':
        return typeof v === 'string' && v.startsWith(String(wanted));
      case '$':
        return typeof v === 'string' && v.endsWith(String(wanted));
      case '<':
        return typeof v === 'number' && v < Number(wanted);
      case '>':
        return typeof v === 'number' && v > Number(wanted);
      case '<=':
        return typeof v === 'number' && v <= Number(wanted);
      default:
        return typeof v === 'number' && v >= Number(wanted);
    }
  };
}

/**
 * Compiles a `POST /contacts/search` query (a single filter, or `AND` / `OR` groups of
 * filters) into a predicate, checking Intercom's documented rules: operators allowed per
 * field type (`IN` / `NIN` take arrays; dates take `=`, `<`, `>` matched by UTC day;
 * `tag_id` only `=` / `!=`), at most 15 filters per group, at most 2 levels of nesting.
 * `email` compares case-insensitively.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/searchcontacts
 *
 * @throws {@link IntercomApiError} 400 `parameter_invalid` for a query Intercom refuses.
 */
export function compileQuery(query: unknown, attributes: ReadonlyMap<string, CustomAttribute>, depth = 0): Predicate {
  if (typeof query !== 'object' || query === null) throw bad('query must be an object');
  const q = query as Record<string, unknown>;
  if (q.operator === 'AND' || q.operator === 'OR') {
    if (depth >= MAX_NESTING) throw bad(`Filters may be nested at most ${MAX_NESTING} levels deep`);
    if (!Array.isArray(q.value) || q.value.length === 0) throw bad(`${q.operator} needs an array of filters`);
    if (q.value.length > MAX_FILTERS_PER_GROUP) throw bad(`An ${q.operator} group may hold at most ${MAX_FILTERS_PER_GROUP} filters`);
    const parts = q.value.map((f) => compileQuery(f, attributes, depth + 1));
    return q.operator === 'AND' ? (c) => parts.every((p) => p(c)) : (c) => parts.some((p) => p(c));
  }
  return compileSingle(q, attributes);
}
