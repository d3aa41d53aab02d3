import { Socket } from 'node:net';
import type pg from 'pg';

/**
 * How long a connection in use may stay silent before it is taken for cut, ms: the server's
 * statement limit (`statement_timeout`: past it the server answers with an error), then as
 * long again, at most 15 s more, for that answer to arrive.
 */
export const silenceLimitMs = (queryTimeoutMs: number): number => queryTimeoutMs + Math.min(queryTimeoutMs, 15_000);

/** The error a connection is destroyed with when it stayed silent past the limit (see {@link watchSilence}). */
export class SilentConnectionError extends Error {
  override readonly name = 'SilentConnectionError';
}

/**
 * Watches a pooled connection while the store uses it: when its socket receives and sends
 * nothing for `limitMs` (a network cut with no reset: the server's own limit cannot answer,
 * and TCP would wait for hours), the socket is destroyed, so the statement waiting on it
 * fails as a lost connection (`state_unwritable`) and the pool drops the connection. A live
 * statement is not cut short: the server answers it, with its rows or with its own timeout
 * error, before the limit. Node's socket timeout holds no process open (a stopped worker
 * exits at once). Returns the function that stops watching.
 *
 * The socket is node-postgres's `Client#connection.stream`; a client without one (another
 * transport) is not watched.
 */
export function watchSilence(client: pg.PoolClient, limitMs: number): () => void {
  const socket = (client as unknown as { connection?: { stream?: unknown } }).connection?.stream;
  if (!(socket instanceof Socket)) return () => undefined;
  let watching = true;
  const onSilence = () => {
    // Node runs due timers before the input that arrived meanwhile: a thread kept busy past
    // the limit would take an answer waiting to be read for silence (fresh reviewer 84, F3).
    // Decide after this turn's input is read; an answer re-arms the socket's timeout.
    const read = socket.bytesRead;
    setImmediate(() => {
      if (watching && socket.bytesRead === read) socket.destroy(new SilentConnectionError(`the database sent nothing for ${limitMs.toLocaleString('en-US')} ms while a statement waited (a cut network?)`));
    });
  };
  socket.setTimeout(limitMs);
  socket.on('timeout', onSilence);
  return () => {
    watching = false;
    socket.setTimeout(0);
    socket.off('timeout', onSilence);
  };
}
