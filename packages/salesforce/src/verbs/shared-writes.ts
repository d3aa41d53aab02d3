import { SyncError, type ItemResult, type UpdateItem, type CreateOrUpdateItem, type WriteItem } from '@syncmodes/connector-kit';
import type { CompositeSubrequest } from '../client/salesforce-api';
import { saveErrorToSyncError, type SalesforceSaveError } from '../client/errors';
import { COLLECTION_SIZE, convertItems, createRecords, placeSaved, updateRecords, upsertsByMatchField, type ConvertedItems, type Ctx } from './write-records';

/**
 * The first API version whose Composite requests take what a shared call sends: sObject
 * Collections (43.0), upserts by an external id (46.0), and `collateSubrequests: false`, which
 * keeps the subrequests in order (48.0).
 */
export const SHARED_WRITES_MIN_VERSION = 48;

/** One of the two collection requests of a shared call. */
interface Part {
  readonly request: Omit<CompositeSubrequest, 'body'>;
  /** Positions of the part's items in the shared batch. */
  readonly positions: readonly number[];
  readonly converted: ConvertedItems;
}

/**
 * A collection refused as a whole: its error bodies (`[{ errorCode, message }]`) as a SyncError
 * carrying the HTTP `status`, by which the kit knows nothing of the part was written and sends
 * its records again by their own verb (which isolates the bad one).
 */
function refusal(status: number, body: unknown): SyncError {
  const first = (Array.isArray(body) ? body[0] : undefined) as { errorCode?: string; message?: string; fields?: string[] } | undefined;
  const error: SalesforceSaveError = { statusCode: first?.errorCode ?? `HTTP_${status}`, message: first?.message ?? `answered ${status}`, fields: first?.fields ?? [] };
  const e = saveErrorToSyncError(error);
  return new SyncError(e.code, e.message, { status, retryable: e.retryable, cause: e, ...(e.fields ? { fields: e.fields } : {}), ...(e.vendorCode ? { vendorCode: e.vendorCode } : {}) });
}

/**
 * Puts one subresponse's answers on its part's items. A collection refused as a whole (4xx:
 * nothing of it was written) answers each of its items with that error and status (the kit
 * sends them again by their own verb); any other status, or a
 * body that is not its save results, fails the whole call `unexpected_response` (retryable:
 * the kit looks up the creates before sending anything again, and resends the updates).
 */
function place(part: Part, status: number, body: unknown): void {
  if (status >= 200 && status < 300) return placeSaved(part.converted, body);
  if (status >= 400 && status < 500) {
    const error = refusal(status, body);
    for (const j of part.converted.positions) part.converted.results[j] = { ok: false, error };
    return;
  }
  throw new SyncError('unexpected_response', `Salesforce answered a part of a Composite call with HTTP ${status}; it may have been applied.`, { status, retryable: true });
}

/**
 * Creates and updates records in one call: the kit's batch shared by a window's last updates
 * and first creates (≤ 200 records; sObject Collections runs only, see `sharedBatch` in the
 * limits). One Composite request holds two sObject Collections requests, run in order: the
 * updates by record id, then the creates as {@link createRecords} sends them (inserts, or
 * upserts by a unique external-id match field) — each record's outcome is the one its own
 * collection call would give; the Composite request counts as one API call. A batch of one
 * kind is sent as that kind's own call. A value that cannot be converted fails its record
 * alone.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm
 *
 * @throws {@link SyncError} as the other writes do; `unexpected_response` (retryable) when the
 *   answer cannot be read (see {@link place}).
 */
export async function createAndUpdateRecords(ctx: Ctx, items: readonly CreateOrUpdateItem[]): Promise<ItemResult[]> {
  const updates = items.flatMap((item, i) => (item.action === 'update' ? [i] : []));
  const creates = items.flatMap((item, i) => (item.action === 'create' ? [i] : []));
  if (creates.length === 0) return updateRecords(ctx, items as readonly UpdateItem[]);
  if (updates.length === 0) return createRecords(ctx, items as readonly WriteItem[]);
  if (items.length > COLLECTION_SIZE) throw new Error(`createAndUpdateRecords takes at most ${COLLECTION_SIZE} records (got ${items.length}): the kit sends a shared batch only on sObject Collections runs.`);
  const { object } = ctx.client.fields;
  const typed = (fields: Record<string, unknown>) => ({ attributes: { type: object }, ...fields });
  const key = ctx.client.matchField.name;
  const upsert = upsertsByMatchField(ctx.client);
  const parts: Part[] = [
    {
      request: { method: 'PATCH', path: '/composite/sobjects' },
      positions: updates,
      converted: convertItems(ctx, updates.map((i) => items[i] as UpdateItem), (item, fields) => typed({ Id: item.destinationId, ...fields })),
    },
    {
      request: upsert ? { method: 'PATCH', path: `/composite/sobjects/${encodeURIComponent(object)}/${encodeURIComponent(key)}` } : { method: 'POST', path: '/composite/sobjects' },
      positions: creates,
      converted: convertItems(ctx, creates.map((i) => items[i] as WriteItem), (_item, fields) => typed(fields)),
    },
  ];
  const sending = parts.filter((p) => p.converted.records.length > 0);
  if (sending.length > 0) {
    const answers = await ctx.client.api.composite(sending.map((p) => ({ ...p.request, body: { allOrNone: false, records: p.converted.records } })));
    sending.forEach((p, k) => place(p, answers[k]?.status ?? 0, answers[k]?.body));
  }
  const results: ItemResult[] = new Array(items.length);
  for (const p of parts) p.positions.forEach((i, j) => (results[i] = p.converted.results[j] as ItemResult));
  return results;
}
