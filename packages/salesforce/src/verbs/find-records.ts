import type { FoundRecord, LookupRequest, VerbContext } from '@syncmodes/connector-kit';
import { foundRecordsOf } from '../client/answer-shapes';
import { bulkQuery } from '../client/bulk-api';
import { inListsWithin, soqlLiteral } from '../client/soql-literal';
import type { SalesforceClient } from '../client/salesforce-client';
import type { SalesforceConfig } from '../config';
import { emailIdentity } from '../email-identity';
import { keyForm, knownRow, type KeyForm, type Row } from './match-key-form';

/** Budget for the `IN (…)` list of one query, URL-encoded characters (URI limit 16,384). */
export const IN_LIST_BUDGET = 12_000;

/** Lookups of more keys than a collection call takes happen only in bulk runs (see the destination's limits). */
const BULK_LOOKUP_MIN_KEYS = 200;
/** A bulk lookup reads the whole object with one query job when it holds at most this many records per key looked up. */
export const BULK_EXTRACT_FACTOR = 10;

/**
 * Finds records by match field with SOQL `IN` queries (literals escaped; split so each
 * URI stays under Salesforce's limit). Converted Leads are returned as blocked
 * (`converted_lead`): Salesforce refuses updates to them.
 *
 * In a bulk run (more than 200 keys), one `COUNT()` query first: when the object holds at
 * most {@link BULK_EXTRACT_FACTOR} records per key, a Bulk API 2.0 query job reads every
 * record's id and match field instead (3 calls however many keys); otherwise the `IN`
 * queries run as usual.
 *
 * A record this sync wrote before (the request's `knownId`) that the key does not find is read
 * by its Id: a person in Salesforce may have changed its match field (a new work Email), and
 * looked up by the key alone it was not found, so a second record was created for the same
 * person beside it (sync, additive) or the row was skipped `not_found` (enrich). Found by Id,
 * it is updated in place (fresh helper 108, finding 1). Deleted or merged away, it is not
 * found (SOQL returns no deleted record). For a record that left the source (`confirmKnown`)
 * it is read by Id also when its key finds other records: the departure acts on it alone.
 *
 * A match field marked "Unique, case sensitive" (describe `unique` and `caseSensitive`) is
 * looked up by each record's value as written (trimmed), and only a record holding that same
 * value matches: SOQL compares such a field case-sensitively ("Comparisons on strings are
 * case-sensitive for unique case-sensitive fields"), and so does an upsert by it. Asked for
 * the lower-cased key, it found no `P1` for a row `P1`, and the upsert that followed wrote
 * that row onto the Contact holding `P1` unchecked.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
 */
export async function findRecords(
  ctx: VerbContext<SalesforceConfig, SalesforceClient>,
  requests: readonly LookupRequest[],
): Promise<Map<number, FoundRecord[]>> {
  const { client } = ctx;
  const object = client.fields.object;
  const field = client.matchField.name;
  const isLead = object.toLowerCase() === 'lead';
  // Where the match field is not Email, the Email is read too: a record found by its key may carry another person's (see FoundRecord.identities).
  const email = field.toLowerCase() !== 'email' && client.fields.get('Email') !== undefined ? 'Email' : undefined;
  // External-id fields the records map besides the match field: a record found by its key that holds another value there is another identity's (see FoundRecord.uniqueFields).
  const unique = uniqueFieldsOf(client, requests, field);
  const extra = `${email ? `, ${email}` : ''}${isLead ? ', IsConverted' : ''}${unique.map((f) => `, ${f}`).join('')}`;
  const byKey = new Map<string, Row[]>();
  const form = keyForm(client);
  const keys = [...new Set(requests.map((r) => form.ofRequest(r, field)))];
  // The records this sync wrote are read by id too when their key does not find them (see knownRow).
  const known = new Set(requests.flatMap((r) => (r.knownId ? [r.knownId] : [])));
  const byId = new Map<string, Row>();
  const remember = (row: Row) => {
    if (known.has(row.Id)) {
      if (byId.has(row.Id)) return;
      byId.set(row.Id, row);
    }
    const key = form.ofValue(row[field]);
    const rows = byKey.get(key);
    if (rows) rows.push(row);
    else byKey.set(key, [row]);
  };
  const found = () => matched(requests, field, byKey, (r) => form.ofRequest(r, field), (r, keyFound) => knownRow(r, byId, field, keyFound), unique);
  const extracted = keys.length > BULK_LOOKUP_MIN_KEYS && (await extractObject(ctx, { object, field, extra, email, unique, keys, known, form }, remember));
  if (!extracted) {
    for (const list of inListsWithin(keys, IN_LIST_BUDGET)) {
      const soql = `SELECT Id, ${field}${extra} FROM ${object} WHERE ${field} IN (${list.map(soqlLiteral).join(', ')}) ORDER BY Id`;
      const rows = foundRecordsOf<Row>(await client.api.query<unknown>(soql), field);
      for (const row of rows) remember(row);
    }
  }
  // Read by id: the records this sync wrote that their key did not find (on a case-sensitive field, or for a record that left the
  // source, every one not read yet).
  const unread = requests.flatMap((r) => (r.knownId && !byId.has(r.knownId) && (form.exact || r.confirmKnown === true || !byKey.has(form.ofRequest(r, field))) ? [r.knownId] : []));
  await readByIds(client, `SELECT Id, ${field}${extra} FROM ${object}`, field, [...new Set(unread)], remember);
  return found();
}

/** What a lookup reads: the object, its match field and the extra columns (`extra`, as SOQL; `email`, `unique` by name). */
interface LookupQuery {
  readonly object: string;
  readonly field: string;
  readonly extra: string;
  readonly email: string | undefined;
  readonly unique: readonly string[];
  readonly keys: readonly string[];
  readonly known: ReadonlySet<string>;
  readonly form: KeyForm;
}

/**
 * A bulk run's lookup (more than {@link BULK_LOOKUP_MIN_KEYS} keys): one `COUNT()` query, and
 * when the object holds at most {@link BULK_EXTRACT_FACTOR} records per key, one Bulk API 2.0
 * query job reading them all, keeping only rows of the keys looked for or of the records this
 * sync wrote (memory follows the window, not the object). Each row goes to `remember`.
 *
 * @returns whether the object was read so (false: look the keys up with `IN` queries).
 */
async function extractObject(ctx: VerbContext<SalesforceConfig, SalesforceClient>, q: LookupQuery, remember: (row: Row) => void): Promise<boolean> {
  const { client } = ctx;
  const present = `${q.field} != null`;
  const total = await client.api.count(`SELECT COUNT() FROM ${q.object} WHERE ${present}`);
  if (total > BULK_EXTRACT_FACTOR * q.keys.length) return false;
  const polling = { intervalMs: ctx.config.bulkPollIntervalMs, timeoutMs: ctx.config.bulkTimeoutMs, signal: ctx.signal };
  const wanted = new Set(q.keys);
  const rows = await bulkQuery(
    client.api,
    `SELECT Id, ${q.field}${q.extra} FROM ${q.object} WHERE ${present} ORDER BY Id`,
    ['Id', q.field, 'IsConverted', 'Email', ...q.unique],
    (row) => wanted.has(q.form.ofValue(row[1])) || q.known.has(String(row[0])),
    polling,
  );
  for (const [id, value, converted, mail, ...ids] of rows) {
    remember({ Id: id as string, [q.field]: value, IsConverted: converted === 'true', ...(q.email ? { Email: mail } : {}), ...Object.fromEntries(q.unique.map((f, i) => [f, ids[i]])) });
  }
  return true;
}

/** Reads records by id (`<select> WHERE Id IN (…)`, lists split to fit the URI) and hands each to `remember`. */
async function readByIds(client: SalesforceClient, select: string, field: string, ids: readonly string[], remember: (row: Row) => void): Promise<void> {
  for (const list of inListsWithin(ids, IN_LIST_BUDGET)) {
    for (const row of foundRecordsOf<Row>(await client.api.query<unknown>(`${select} WHERE Id IN (${list.map(soqlLiteral).join(', ')}) ORDER BY Id`), field)) remember(row);
  }
}

/** The external-id fields (describe: `externalId`) the requests' records map with a value, other than the match field. */
function uniqueFieldsOf(client: SalesforceClient, requests: readonly LookupRequest[], field: string): string[] {
  const names = new Set<string>();
  for (const r of requests) for (const [name, value] of Object.entries(r.snapshot.properties)) if (value !== null && value !== undefined && String(value).trim() !== '') names.add(name);
  return [...names].filter((name) => name.toLowerCase() !== field.toLowerCase() && client.fields.get(name)?.externalId === true).map((name) => client.fields.get(name)?.name ?? name);
}

const CONVERTED = {
  code: 'converted_lead',
  message: 'This Lead was converted; Salesforce does not allow updating converted Leads. Sync Contacts for converted people.',
} as const;


/** A found record's Email as the destination's `identityKeys` give it (`email:` and the address trimmed, lower-cased), when the lookup read it. */
function identitiesOf(row: Row): { identities?: string[] } {
  if (!('Email' in row)) return {};
  const email = row.Email === null || row.Email === undefined ? '' : String(row.Email).trim().toLowerCase();
  return { identities: email === '' ? [] : [emailIdentity(email)] };
}

/** A found record's values of the external-id fields the records map (see FoundRecord.uniqueFields). */
function uniqueOf(row: Row, unique: readonly string[]): { uniqueFields?: Record<string, string> } {
  if (unique.length === 0) return {};
  const values = Object.fromEntries(unique.map((f) => [f, row[f] === null || row[f] === undefined ? '' : String(row[f]).trim()]).filter(([, v]) => v !== ''));
  return Object.keys(values).length > 0 ? { uniqueFields: values } : {};
}

/** Whether a record read by its Id still holds the request's key (in any letter case). */
function holdsKey(row: Row, field: string, r: LookupRequest): boolean {
  return String(row[field] ?? '').trim().toLowerCase() === r.matchKey;
}

/**
 * The record this sync wrote for a row, read by its Id because the row's key finds no record:
 * its match field was changed in Salesforce (a new work Email, a merge that kept another
 * person's). It may still be this person, or now be someone else's: neither written nor
 * deleted (fresh reviewer 109: updated in place, a merged Contact holding another current
 * row's Email was deleted when the row left, and a row was written onto a record another sync
 * tracks), and no second record is created beside it (fresh helper 108, F1).
 */
function movedAway(field: string): { readonly code: string; readonly message: string } {
  return {
    code: 'match_field_changed',
    message: `The record this sync wrote for it no longer holds its ${field}: it was changed in Salesforce since (a new value, or a merge). Nothing was written to it and no second record was created; put the ${field} back in Salesforce or in the source if it is still this person, or change the row's id if it is someone else now.`,
  };
}

/** Every record whose match field equals each request's key (the kit decides when there are several). */
function matched(
  requests: readonly LookupRequest[],
  field: string,
  byKey: ReadonlyMap<string, Row[]>,
  keyOf: (r: LookupRequest) => string,
  knownOf: (r: LookupRequest, keyFound: boolean) => Row | undefined,
  unique: readonly string[] = [],
): Map<number, FoundRecord[]> {
  const found = new Map<number, FoundRecord[]>();
  for (const r of requests) {
    const rows = [...(byKey.get(keyOf(r)) ?? [])];
    const known = knownOf(r, rows.length > 0);
    const moved = known !== undefined && !rows.some((row) => row.Id === known.Id) && !holdsKey(known, field, r) ? known.Id : undefined;
    if (known && !rows.some((row) => row.Id === known.Id)) rows.push(known);
    if (rows.length === 0) continue;
    found.set(
      r.ref,
      rows.map((row) => ({ id: row.Id, ...identitiesOf(row), ...uniqueOf(row, unique), ...(row.IsConverted === true ? { blocked: CONVERTED } : row.Id === moved ? { blocked: movedAway(field) } : {}) })),
    );
  }
  return found;
}
