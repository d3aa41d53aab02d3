import { AsyncLocalStorage } from 'node:async_hooks';
import diagnosticsChannel from 'node:diagnostics_channel';

/** An `http.ClientRequest` as far as the counter needs it. */
export interface OpenRequest {
  destroy(error?: Error): void;
  once(event: 'close', listener: () => void): unknown;
}

interface Counting {
  readonly counts: Record<string, number>;
  readonly kind: string;
  /** The call's `http`/`https` requests not closed yet (see {@link countRequests}). */
  readonly open: Set<OpenRequest> | undefined;
}

const current = new AsyncLocalStorage<Counting>();
let subscribed = false;

const isOpenRequest = (value: unknown): value is OpenRequest =>
  typeof (value as OpenRequest | undefined)?.destroy === 'function' && typeof (value as OpenRequest | undefined)?.once === 'function';

function onRequest(message: unknown): void {
  const counting = current.getStore();
  if (!counting) return;
  counting.counts[counting.kind] = (counting.counts[counting.kind] ?? 0) + 1;
  const request = (message as { request?: unknown } | undefined)?.request;
  const { open } = counting;
  if (open && isOpenRequest(request)) {
    open.add(request);
    request.once('close', () => open.delete(request));
  }
}

/**
 * Counts the HTTP requests a destination call makes, whatever HTTP stack its SDK uses: Node
 * publishes every `http`/`https` request (`http.client.request.start`) and every fetch or
 * undici request (`undici:request:create`) on diagnostics channels, and the call's kind
 * travels with the async context. Retries, pagination, bulk-job polls and result pages are
 * each one request.
 *
 * @param counts - requests by kind, incremented in place.
 * @param open - when given, holds the call's `http`/`https` requests until they close, so a
 *   call abandoned while one hangs can close it (its socket with it) even when the SDK takes
 *   no abort signal (jsforce's node-fetch). fetch / undici requests are not held: cancel
 *   those with the verb's `ctx.signal`.
 */
export function countRequests<T>(counts: Record<string, number>, kind: string, fn: () => Promise<T>, open?: Set<OpenRequest>): Promise<T> {
  if (!subscribed) {
    subscribed = true;
    diagnosticsChannel.subscribe('http.client.request.start', onRequest);
    diagnosticsChannel.subscribe('undici:request:create', onRequest);
  }
  return current.run({ counts, kind, open }, fn);
}

/** Closes every request in `open` (their sockets with them): the call they belong to was abandoned. */
export function closeRequests(open: Set<OpenRequest>): void {
  for (const request of [...open]) request.destroy(new Error('The call was abandoned: the run stopped.'));
  open.clear();
}

/**
 * Inside a destination call, counts the HTTP requests `fn` makes under a more precise kind
 * (e.g. a bulk job's `bulk_upload` or `bulk_poll`), so the run's report shows where the
 * requests went. Outside a call it just runs `fn`.
 */
export function withRequestKind<T>(kind: string, fn: () => Promise<T>): Promise<T> {
  const counting = current.getStore();
  return counting ? current.run({ counts: counting.counts, kind, open: counting.open }, fn) : fn();
}
