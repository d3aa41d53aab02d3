import { z } from 'zod';
import { SyncError, type ItemResult, type TargetItem, type UpdateItem, type VerbContext, type WriteItem } from '@syncmodes/connector-kit';
import { BulkCsv, runIngestJob, type BulkOperation } from '../client/bulk-api';
import { answerKind } from '../client/answer-shapes';
import { saveErrorToSyncError } from '../client/errors';
import type { SaveResult } from '../client/salesforce-api';
import type { SalesforceClient } from '../client/salesforce-client';
import type { SalesforceConfig } from '../config';
import { dateOptionsOf } from '../fields/field-values';
import { CallParts } from './call-parts';
import { toSalesforceFields } from './record-fields';

export type Ctx = VerbContext<SalesforceConfig, SalesforceClient>;

/** Most records of one sObject Collections call; larger batches (bulk runs only, see the limits) go through Bulk API 2.0. */
export const COLLECTION_SIZE = 200;

/**
 * The columns of a job's CSV: the key column, then every field an item sets (its
 * properties' API names, in first-seen order; a delete has only the key).
 */
function jobColumns(ctx: Ctx, operation: BulkOperation, keyColumn: string, items: readonly { readonly properties: WriteItem['properties'] }[]): string[] {
  const columns = new Set<string>([keyColumn]);
  if (operation === 'delete') return [...columns];
  for (const item of items) {
    for (const name in item.properties) {
      const field = ctx.client.fields.get(name);
      if (field) columns.add(field.name);
    }
  }
  return [...columns];
}

/** True when a converted value is the text `#N/A`, which a Bulk API job's CSV reads as "set to null". */
function holdsNullMarker(fields: Record<string, unknown>): boolean {
  for (const name in fields) {
    const value = fields[name];
    if (typeof value === 'string' && value.trim().toUpperCase() === '#N/A') return true;
  }
  return false;
}

/**
 * Sends items as one Bulk API 2.0 ingest job (values converted as for collections; a
 * value that cannot be converted fails its record alone) and returns one result per item.
 * Each item's row is written into the job's CSV as it is converted (see {@link BulkCsv});
 * `rowOf` gives its fields (the key column among them).
 *
 * An item holding the text `#N/A` in any field is sent by `literally` instead (sObject
 * Collections, 200 a call, before the job): in a job's CSV, `#N/A` sets the field to null
 * ("To set a field value to null, use #N/A"), so a key `#N/A` made a record without its key,
 * and a title `#N/A` a blank one, where a smaller run wrote the text.
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm
 */
async function sendBulk<I extends { readonly properties: WriteItem['properties'] }>(
  ctx: Ctx,
  operation: BulkOperation,
  keyColumn: string,
  items: readonly I[],
  rowOf: (item: I, fields: Record<string, unknown>) => Record<string, unknown>,
  benign: ReadonlySet<string> = new Set(),
  literally?: (items: I[]) => Promise<ItemResult[]>,
): Promise<ItemResult[]> {
  const results: ItemResult[] = new Array(items.length);
  const csv = new BulkCsv(keyColumn, jobColumns(ctx, operation, keyColumn, items));
  const positions: number[] = [];
  const literal: number[] = [];
  const dates = dateOptionsOf(ctx.config);
  items.forEach((item, i) => {
    const converted = operation === 'delete' ? { fields: {} } : toSalesforceFields(ctx.client, item.properties, dates);
    if ('error' in converted) results[i] = { ok: false, error: converted.error };
    else if (literally && holdsNullMarker(converted.fields)) literal.push(i);
    else {
      csv.add(rowOf(item, converted.fields));
      positions.push(i);
    }
  });
  const parts = new CallParts(results, operation === 'insert' || operation === 'upsert');
  for (let start = 0; literally && start < literal.length; start += COLLECTION_SIZE) {
    const chunk = literal.slice(start, start + COLLECTION_SIZE);
    await parts.send('collections', chunk, () => literally(chunk.map((i) => items[i] as I)));
  }
  if (csv.rows > 0) {
    const polling = { intervalMs: ctx.config.bulkPollIntervalMs, timeoutMs: ctx.config.bulkTimeoutMs, signal: ctx.signal };
    await parts.send('job', positions, async () =>
      (await runIngestJob(ctx.client.api, ctx.client.fields.object, operation, csv, polling)).map((r): ItemResult => {
        // An upsert that updated an existing record (`sf__Created` false) answers `existing`: matched, not created.
        if (r.ok && operation === 'upsert' && !r.created) return { ok: true, id: r.id, existing: true };
        if (!r.ok && benign.has(r.error.vendorCode ?? '')) return { ok: true, id: undefined };
        return r;
      }),
    );
  }
  return results;
}

/**
 * Maps SaveResults (input order) to item results. `benign` error codes count as success. An
 * upsert's result with `created: false` (an existing record updated) answers `existing: true`.
 */
export function toItemResults(results: readonly SaveResult[], benign: ReadonlySet<string> = new Set()): ItemResult[] {
  return results.map((r) => {
    if (r.success) return { ok: true, id: r.id ?? undefined, ...(r.created === false ? { existing: true } : {}) };
    const first = r.errors[0] ?? { statusCode: 'UNKNOWN', message: 'rejected without an error' };
    const code = first.statusCode ?? first.errorCode ?? '';
    // Already so (a benign refusal such as DUPLICATE_VALUE for a campaign member): the record was there before this write.
    if (benign.has(code)) return { ok: true, id: r.id ?? undefined, existing: true };
    return { ok: false, error: saveErrorToSyncError(first) };
  });
}

/** sObject Collections' answer: one save result per record (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm). */
const saveResults = z.array(
  z.object({ success: z.boolean(), id: z.string().nullish(), created: z.boolean().optional(), errors: z.array(z.object({}).passthrough()).optional().default([]) }).passthrough(),
);

/**
 * The save results of a write, checked: an answer of another shape (an HTML page from a proxy,
 * half a body) fails the call `unexpected_response` — the write may have been applied, so the
 * kit looks the records up instead of resending them (second trial of stop 31: split and
 * resent, 20 people became 108 Contacts).
 */
function saveResultsOf(answer: unknown): SaveResult[] {
  const parsed = saveResults.safeParse(answer);
  if (parsed.success) return parsed.data as unknown as SaveResult[];
  throw new SyncError('unexpected_response', `Salesforce answered the write with ${answerKind(answer)}, not its save results; it may have been applied, so a create is looked up before anything is sent again.`, { status: 200, retryable: true });
}

/** Items' records to send: the ones whose values convert (`body` builds each), their positions, and a failure for each of the others. */
export interface ConvertedItems {
  readonly results: ItemResult[];
  readonly records: Record<string, unknown>[];
  readonly positions: number[];
}

/** Converts items' properties to Salesforce field values; an item whose values cannot be converted fails alone. */
export function convertItems<I extends WriteItem>(ctx: Ctx, items: readonly I[], body: (item: I, fields: Record<string, unknown>) => Record<string, unknown>): ConvertedItems {
  const results: ItemResult[] = new Array(items.length);
  const records: Record<string, unknown>[] = [];
  const positions: number[] = [];
  items.forEach((item, i) => {
    const converted = toSalesforceFields(ctx.client, item.properties, dateOptionsOf(ctx.config));
    if ('error' in converted) results[i] = { ok: false, error: converted.error };
    else {
      records.push(body(item, converted.fields));
      positions.push(i);
    }
  });
  return { results, records, positions };
}

/**
 * Places a call's save results on the converted items they answer.
 * @throws {@link SyncError} `unexpected_response` (retryable) when there are not as many results as records sent.
 */
export function placeSaved(converted: ConvertedItems, answer: unknown): void {
  const saved = toItemResults(saveResultsOf(answer));
  if (saved.length !== converted.records.length) {
    throw new SyncError('unexpected_response', `Salesforce returned ${saved.length} results for ${converted.records.length} records.`, { status: 200, retryable: true });
  }
  saved.forEach((r, j) => (converted.results[converted.positions[j] as number] = r));
}

/**
 * Sends the items that convert cleanly in one call and merges per-item results back in
 * input order (items whose values cannot be converted fail alone).
 */
async function sendConverted<I extends WriteItem>(
  ctx: Ctx,
  items: readonly I[],
  body: (item: I, fields: Record<string, unknown>) => Record<string, unknown>,
  send: (records: Record<string, unknown>[]) => Promise<SaveResult[]>,
): Promise<ItemResult[]> {
  const converted = convertItems(ctx, items, body);
  if (converted.records.length > 0) placeSaved(converted, await send(converted.records));
  return converted.results;
}

/**
 * True when creates are upserts keyed by the match field: it is a unique external-id field
 * and the object is not a Lead (a converted Lead must be skipped with `converted_lead`,
 * which only a lookup tells before writing). The destination declares it as
 * `createUpserts`, so the kit sends records it has no state for without looking them up.
 *
 * Unique only: on an external id without the Unique attribute, an upsert matches values
 * case-sensitively ("Matching by external ID is case-insensitive only if the external ID
 * field has the Unique attribute and the … case insensitive option selected",
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_upsert.htm)
 * while SOQL compares them case-insensitively ("case-sensitive for unique case-sensitive
 * fields and case-insensitive for all other fields",
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm),
 * so a row with `abc` would create a second record beside the `ABC` a lookup finds. Such a
 * field is looked up, and new records inserted.
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/create_job.htm
 */
export function upsertsByMatchField(client: SalesforceClient): boolean {
  return client.matchField.externalId && client.matchField.unique && client.fields.object.toLowerCase() !== 'lead';
}

/**
 * Creates records with sObject Collections (≤ 200 per call, `allOrNone: false`), or, for a
 * larger batch, one Bulk API 2.0 `insert` job whose results are matched back by the match field.
 *
 * When the match field is a unique external id ({@link upsertsByMatchField}), creates are upserts by
 * it (its value trimmed, as every text value: `convertValue`) instead — collections upsert, or one Bulk API 2.0 `upsert` job (`externalIdFieldName`):
 * Salesforce creates the record or updates the one holding the value; an updated record answers
 * `existing: true` (`created: false`, `sf__Created` false), and a value held by several records
 * fails that record alone with `ambiguous_match` (DUPLICATE_EXTERNAL_ID), nothing written.
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/get_job_successful_results.htm
 */
export function createRecords(ctx: Ctx, items: readonly WriteItem[]): Promise<ItemResult[]> {
  const { api, fields: object } = ctx.client;
  const key = ctx.client.matchField.name;
  const upsert = upsertsByMatchField(ctx.client);
  const send = upsert ? (records: Record<string, unknown>[]) => api.upsert(object.object, key, records) : (records: Record<string, unknown>[]) => api.create(object.object, records);
  const body = (_item: WriteItem, fields: Record<string, unknown>) => fields;
  if (items.length > COLLECTION_SIZE) return sendBulk(ctx, upsert ? 'upsert' : 'insert', key, items, body, new Set(), (chunk) => sendConverted(ctx, chunk, body, send));
  return sendConverted(ctx, items, body, send);
}

/**
 * Updates records by id; only changed fields are sent, `null` clears a field. A batch
 * larger than a collection call is one Bulk API 2.0 `update` job (`#N/A` clears; a record
 * holding the text `#N/A` is sent by collections, see {@link sendBulk}).
 */
export function updateRecords(ctx: Ctx, items: readonly UpdateItem[]): Promise<ItemResult[]> {
  const row = (item: UpdateItem, fields: Record<string, unknown>) => ({ Id: item.destinationId, ...fields });
  const send = (records: Record<string, unknown>[]) => ctx.client.api.update(ctx.client.fields.object, records as ({ Id: string } & Record<string, unknown>)[]);
  if (items.length > COLLECTION_SIZE) return sendBulk(ctx, 'update', 'Id', items, row, new Set(), (chunk) => sendConverted(ctx, chunk, row, send));
  return sendConverted(ctx, items, row, send);
}

/** Records already gone count as deleted. */
const GONE = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND']);

/** Deletes records by id (≤ 200 per call, or one Bulk API 2.0 `delete` job above); records already gone count as deleted. */
export async function deleteRecords(ctx: Ctx, items: readonly TargetItem[]): Promise<ItemResult[]> {
  if (items.length > COLLECTION_SIZE) {
    const targets = items.map((i) => ({ ...i, properties: {} }));
    return sendBulk(ctx, 'delete', 'Id', targets, (item) => ({ Id: item.destinationId }), GONE);
  }
  return toItemResults(await ctx.client.api.destroy(ctx.client.fields.object, items.map((i) => i.destinationId)), GONE);
}
