import { RetryableError, SyncError } from './sync-error';

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; errno?: unknown; cause?: unknown; name?: unknown; type?: unknown };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return e.code;
  if (typeof e.errno === 'string' && NETWORK_CODES.has(e.errno)) return e.errno;
  if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.type === 'request-timeout') return 'ETIMEDOUT';
  if (e.name === 'FetchError' && typeof e.type === 'string' && e.type === 'system') return 'ECONNRESET';
  return networkCode(e.cause, depth + 1);
}

/**
 * Turns anything thrown by an SDK call into a {@link SyncError}.
 *
 * - A `SyncError` is returned as is (connectors translate vendor errors themselves).
 * - Network failures (connection reset or refused, timeouts, aborted sockets) become a
 *   retryable `network_error` / `timeout`.
 * - Anything else becomes a non-retryable `unexpected_error`, keeping the message.
 */
export function toSyncError(error: unknown): SyncError {
  if (error instanceof SyncError) return error;
  const net = networkCode(error);
  if (net) {
    const code = net.includes('TIMEDOUT') || net.includes('TIMEOUT') ? 'timeout' : 'network_error';
    return new RetryableError(code, `Network failure talking to the destination (${net}).`, {
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SyncError('unexpected_error', message || 'Unexpected error', { cause: error });
}
