import { childRelationships, type ObjectSchema } from './org-schema';
import { SfRequestError, type Org, type SfRecord } from './org';
import { conjuncts, type SoqlExpr, type SoqlQuery, type SoqlSubquery } from './soql';
import { matches, sortRows } from './soql-eval';

const noSuchColumn = (name: string, object: string) =>
  new SfRequestError(
    400,
    'INVALID_FIELD',
    `No such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
  );

/** Field names of an expression, resolved to the object's API names. @throws INVALID_FIELD */
function resolveExpr(expr: SoqlExpr | undefined, resolve: (name: string) => string): SoqlExpr | undefined {
  if (!expr) return undefined;
  if ('and' in expr) return { and: expr.and.map((e) => resolveExpr(e, resolve) as SoqlExpr) };
  if ('or' in expr) return { or: expr.or.map((e) => resolveExpr(e, resolve) as SoqlExpr) };
  if ('not' in expr) return { not: resolveExpr(expr.not, resolve) as SoqlExpr };
  return { ...expr, field: resolve(expr.field) };
}

/**
 * The records a query's conditions can match: through the field index of the first
 * top-level `=` / `IN` condition on text literals, else every record. Index hits come back
 * in id order (creation order, as a scan would give them).
 */
function candidates(org: Org, object: string, where: SoqlExpr | undefined): SfRecord[] {
  const indexed = conjuncts(where).find((c) => (c.op === '=' || c.op === 'IN') && c.values.every((v) => typeof v === 'string'));
  if (!indexed) return org.all(object);
  const seen = new Set<SfRecord>();
  for (const value of indexed.values) for (const row of org.withValue(object, indexed.field, value as string)) seen.add(row);
  return [...seen].sort((a, b) => (String(a.Id) < String(b.Id) ? -1 : String(a.Id) > String(b.Id) ? 1 : 0));
}

const resolver = (org: Org, schema: ObjectSchema) => (name: string) => {
  const f = org.field(schema, name);
  if (!f) throw noSuchColumn(name, schema.name);
  return f.name;
};

/** A record as a query answers it: `attributes`, then the selected fields (null when unset). */
function shaped(schema: ObjectSchema, row: SfRecord, fields: readonly string[]): SfRecord {
  const out: SfRecord = { attributes: { type: schema.name, url: `/services/data/v62.0/sobjects/${schema.name}/${String(row.Id)}` } };
  for (const f of fields) out[f] = row[f] ?? null;
  return out;
}

/**
 * A parent-to-child subquery for one parent: `null` when it has no such children, else a
 * query result `{ totalSize, done, records }`.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_using.htm
 */
function children(org: Org, parent: ObjectSchema, sub: SoqlSubquery): (row: SfRecord) => Record<string, unknown> | null {
  const rel = childRelationships(parent).find((r) => r.relationshipName.toLowerCase() === sub.relationship.toLowerCase());
  if (!rel) {
    throw new SfRequestError(400, 'INVALID_TYPE', `Didn't understand relationship '${sub.relationship}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`);
  }
  const child = org.schema(rel.childSObject) as ObjectSchema;
  const resolve = resolver(org, child);
  const fields = sub.fields.map(resolve);
  const where = resolveExpr(sub.where, resolve);
  const order = sub.orderBy.map((o) => ({ ...o, field: resolve(o.field) }));
  return (row) => {
    let rows = org.withValue(child.name, rel.field, String(row.Id)).filter((r) => matches(r, where));
    rows = sortRows(rows, order, (f) => f === 'Id');
    if (sub.limit !== undefined) rows = rows.slice(0, sub.limit);
    return rows.length === 0 ? null : { totalSize: rows.length, done: true, records: rows.map((r) => shaped(child, r, fields)) };
  };
}

/**
 * Runs a parsed query against the org. @throws {@link SfRequestError} `INVALID_TYPE` /
 * `INVALID_FIELD` for an unknown object, field or child relationship.
 */
export function queryOrg(org: Org, q: SoqlQuery): SfRecord[] {
  const schema = org.schema(q.object);
  if (!schema) throw new SfRequestError(400, 'INVALID_TYPE', `sObject type '${q.object}' is not supported.`);
  const resolve = resolver(org, schema);
  const fields = q.fields.map(resolve);
  const where = resolveExpr(q.where, resolve);
  const order = q.orderBy.map((o) => ({ ...o, field: resolve(o.field) }));
  const subs = q.subqueries.map((s) => ({ name: childRelationships(schema).find((r) => r.relationshipName.toLowerCase() === s.relationship.toLowerCase())?.relationshipName ?? s.relationship, read: children(org, schema, s) }));
  const exact = new Set(schema.fields.filter((f) => f.unique && f.caseSensitive).map((f) => f.name));
  let rows = candidates(org, schema.name, where).filter((r) => matches(r, where, (f) => exact.has(f)));
  rows = sortRows(rows, order, (f) => f === 'Id');
  rows = rows.slice(q.offset ?? 0, q.limit === undefined ? undefined : (q.offset ?? 0) + q.limit);
  return rows.map((r) => {
    const out = shaped(schema, r, fields);
    for (const s of subs) out[s.name] = s.read(r);
    return out;
  });
}
