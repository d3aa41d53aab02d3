import type { FoundRecord, LookupRequest, VerbContext } from '@syncmodes/connector-kit';
import { bulkQuery } from '../client/bulk-api';
import { inListsWithin, soqlLiteral } from '../client/soql-literal';
import type { SalesforceClient } from '../client/salesforce-client';
import type { SalesforceConfig } from '../config';

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
 */
export async function findRecords(
  ctx: VerbContext<SalesforceConfig, SalesforceClient>,
  requests: readonly LookupRequest[],
): Promise<Map<number, FoundRecord[]>> {
  const { client } = ctx;
  const object = client.fields.object;
  const field = client.matchField.name;
  const isLead = object.toLowerCase() === 'lead';
  const byKey = new Map<string, { Id: string; IsConverted?: boolean }[]>();
  const keys = [...new Set(requests.map((r) => r.matchKey))];
  const remember = (row: Record<string, unknown> & { Id: string; IsConverted?: boolean }) => {
    const key = String(row[field] ?? '').trim().toLowerCase();
    const rows = byKey.get(key);
    if (rows) rows.push(row);
    else byKey.set(key, [row]);
  };
  if (keys.length > BULK_LOOKUP_MIN_KEYS) {
    // A bulk run: when the object holds not many more records than the run has keys, one query job reads them all.
    const present = `${field} != null`;
    const total = await client.api.count(`SELECT COUNT() FROM ${object} WHERE ${present}`);
    if (total <= BULK_EXTRACT_FACTOR * keys.length) {
      const polling = { intervalMs: ctx.config.bulkPollIntervalMs, timeoutMs: ctx.config.bulkTimeoutMs, signal: ctx.signal };
      // Only rows of keys this window looks for are kept, so memory follows the window, not the object.
      const wanted = new Set(keys);
      const rows = await bulkQuery(
        client.api,
        `SELECT Id, ${field}${isLead ? ', IsConverted' : ''} FROM ${object} WHERE ${present} ORDER BY Id`,
        ['Id', field, 'IsConverted'],
        (row) => wanted.has(String(row[1]).trim().toLowerCase()),
        polling,
      );
      for (const [id, value, converted] of rows) remember({ Id: id as string, [field]: value, IsConverted: converted === 'true' });
      return matched(requests, byKey);
    }
  }
  for (const list of inListsWithin(keys, IN_LIST_BUDGET)) {
    const soql = `SELECT Id, ${field}${isLead ? ', IsConverted' : ''} FROM ${object} WHERE ${field} IN (${list.map(soqlLiteral).join(', ')}) ORDER BY Id`;
    const rows = await client.api.query<Record<string, unknown> & { Id: string; IsConverted?: boolean }>(soql);
    for (const row of rows) remember(row);
  }
  return matched(requests, byKey);
}

const CONVERTED = {
  code: 'converted_lead',
  message: 'This Lead was converted; Salesforce does not allow updating converted Leads. Sync Contacts for converted people.',
} as const;

/** Every record whose match field equals each request's key (the kit decides when there are several). */
function matched(requests: readonly LookupRequest[], byKey: ReadonlyMap<string, { Id: string; IsConverted?: boolean }[]>): Map<number, FoundRecord[]> {
  const found = new Map<number, FoundRecord[]>();
  for (const r of requests) {
    const rows = byKey.get(r.matchKey);
    if (!rows) continue;
    found.set(
      r.ref,
      rows.map((row) => ({ id: row.Id, ...(row.IsConverted === true ? { blocked: CONVERTED } : {}) })),
    );
  }
  return found;
}
