import { SyncError, type ItemResult, type TargetItem, type UpdateItem, type VerbContext, type WriteItem } from '@syncmodes/connector-kit';
import { saveErrorToSyncError } from '../client/errors';
import type { SaveResult } from '../client/salesforce-api';
import type { SalesforceClient } from '../client/salesforce-client';
import type { SalesforceConfig } from '../config';
import { toSalesforceFields } from './record-fields';

type Ctx = VerbContext<SalesforceConfig, SalesforceClient>;

/** Maps SaveResults (input order) to item results. `benign` error codes count as success. */
export function toItemResults(results: readonly SaveResult[], benign: ReadonlySet<string> = new Set()): ItemResult[] {
  return results.map((r) => {
    if (r.success) return { ok: true, id: r.id ?? undefined };
    const first = r.errors[0] ?? { statusCode: 'UNKNOWN', message: 'rejected without an error' };
    const code = first.statusCode ?? first.errorCode ?? '';
    if (benign.has(code)) return { ok: true, id: r.id ?? undefined };
    return { ok: false, error: saveErrorToSyncError(first) };
  });
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
  const results: ItemResult[] = new Array(items.length);
  const records: Record<string, unknown>[] = [];
  const positions: number[] = [];
  items.forEach((item, i) => {
    const converted = toSalesforceFields(ctx.client, item.properties, ctx.config.dateFormat);
    if ('error' in converted) results[i] = { ok: false, error: converted.error };
    else {
      records.push(body(item, converted.fields));
      positions.push(i);
    }
  });
  if (records.length > 0) {
    const saved = toItemResults(await send(records));
    if (saved.length !== records.length) {
      throw new SyncError('unexpected_response', `Salesforce returned ${saved.length} results for ${records.length} records.`);
    }
    saved.forEach((r, j) => (results[positions[j] as number] = r));
  }
  return results;
}

/** Creates records with sObject Collections (≤ 200 per call, `allOrNone: false`). */
export function createRecords(ctx: Ctx, items: readonly WriteItem[]): Promise<ItemResult[]> {
  return sendConverted(ctx, items, (_item, fields) => fields, (records) => ctx.client.api.create(ctx.client.fields.object, records));
}

/** Updates records by id; only changed fields are sent, `null` clears a field. */
export function updateRecords(ctx: Ctx, items: readonly UpdateItem[]): Promise<ItemResult[]> {
  return sendConverted(
    ctx,
    items,
    (item, fields) => ({ Id: item.destinationId, ...fields }),
    (records) => ctx.client.api.update(ctx.client.fields.object, records as ({ Id: string } & Record<string, unknown>)[]),
  );
}

/** Records already gone count as deleted. */
const GONE = new Set(['ENTITY_IS_DELETED', 'INVALID_CROSS_REFERENCE_KEY', 'NOT_FOUND']);

/** Deletes records by id (≤ 200 per call); records already gone count as deleted. */
export async function deleteRecords(ctx: Ctx, items: readonly TargetItem[]): Promise<ItemResult[]> {
  return toItemResults(await ctx.client.api.destroy(items.map((i) => i.destinationId)), GONE);
}
