import { isRunStopping, toSyncError, type ItemResult } from '@syncmodes/connector-kit';

/**
 * The result of one item whose call failed. Failures a retry may fix (429, 5xx, network)
 * and run-stopping ones (auth) are thrown, so the kit retries or stops the call as a whole
 * (Intercom has no batch writes: each call carries one record). The rest fail this record.
 */
export function failedItem(thrown: unknown): ItemResult {
  const error = toSyncError(thrown);
  if (error.retryable || isRunStopping(error)) throw error;
  return { ok: false, error };
}

/** Runs `one` for each item in turn, collecting one result per item, in order. */
export async function eachItem<I>(items: readonly I[], one: (item: I) => Promise<ItemResult>): Promise<ItemResult[]> {
  const results: ItemResult[] = [];
  for (const item of items) results.push(await one(item));
  return results;
}
