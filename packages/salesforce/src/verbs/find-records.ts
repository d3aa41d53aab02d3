import type { FoundRecord, LookupRequest, VerbContext } from '@syncmodes/connector-kit';
import { inListsWithin, soqlLiteral } from '../client/soql-literal';
import type { SalesforceClient } from '../client/salesforce-client';
import type { SalesforceConfig } from '../config';

/** Budget for the `IN (…)` list of one query, URL-encoded characters (URI limit 16,384). */
export const IN_LIST_BUDGET = 12_000;

/**
 * Finds records by match field with SOQL `IN` queries (literals escaped; split so each
 * URI stays under Salesforce's limit). Converted Leads are returned as blocked
 * (`converted_lead`): Salesforce refuses updates to them.
 */
export async function findRecords(
  ctx: VerbContext<SalesforceConfig, SalesforceClient>,
  requests: readonly LookupRequest[],
): Promise<Map<number, FoundRecord>> {
  const { client } = ctx;
  const object = client.fields.object;
  const field = client.matchField.name;
  const isLead = object.toLowerCase() === 'lead';
  const byKey = new Map<string, { Id: string; IsConverted?: boolean }>();
  const keys = [...new Set(requests.map((r) => r.matchKey))];
  for (const list of inListsWithin(keys, IN_LIST_BUDGET)) {
    const soql = `SELECT Id, ${field}${isLead ? ', IsConverted' : ''} FROM ${object} WHERE ${field} IN (${list.map(soqlLiteral).join(', ')}) ORDER BY Id`;
    const rows = await client.api.query<Record<string, unknown> & { Id: string; IsConverted?: boolean }>(soql);
    for (const row of rows) {
      const key = String(row[field] ?? '').trim().toLowerCase();
      if (!byKey.has(key)) byKey.set(key, row);
    }
  }
  const found = new Map<number, FoundRecord>();
  for (const r of requests) {
    const row = byKey.get(r.matchKey);
    if (!row) continue;
    found.set(r.ref, {
      id: row.Id,
      ...(row.IsConverted === true
        ? {
            blocked: {
              code: 'converted_lead',
              message: 'This Lead was converted; Salesforce does not allow updating converted Leads. Sync Contacts for converted people.',
            },
          }
        : {}),
    });
  }
  return found;
}
