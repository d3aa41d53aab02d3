import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';

interface Counting {
  readonly counts: Record<string, number>;
  readonly kind: string;
}

const current = new AsyncLocalStorage<Counting>();
let subscribed = false;

function onRequest(): void {
  const counting = current.getStore();
  if (counting) counting.counts[counting.kind] = (counting.counts[counting.kind] ?? 0) + 1;
}

/**
 * Counts the HTTP requests a destination call makes, whatever HTTP stack its SDK uses: Node
 * publishes every `http`/`https` request (`http.client.request.start`) and every fetch or
 * undici request (`undici:request:create`) on diagnostics channels, and the call's kind
 * travels with the async context. Retries, pagination, bulk-job polls and result pages are
 * each one request.
 *
 * @param counts - requests by kind, incremented in place.
 */
export function countRequests<T>(counts: Record<string, number>, kind: string, fn: () => Promise<T>): Promise<T> {
  if (!subscribed) {
    subscribed = true;
    diagnosticsChannel.subscribe('http.client.request.start', onRequest);
    diagnosticsChannel.subscribe('undici:request:create', onRequest);
  }
  return current.run({ counts, kind }, fn);
}

/**
 * Inside a destination call, counts the HTTP requests `fn` makes under a more precise kind
 * (e.g. a bulk job's `bulk_upload` or `bulk_poll`), so the run's report shows where the
 * requests went. Outside a call it just runs `fn`.
 */
export function withRequestKind<T>(kind: string, fn: () => Promise<T>): Promise<T> {
  const counting = current.getStore();
  return counting ? current.run({ counts: counting.counts, kind }, fn) : fn();
}
