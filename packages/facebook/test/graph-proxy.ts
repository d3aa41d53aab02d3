import http from 'node:http';

/** A request as the proxy saw it. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
}

/** An answer the proxy gives instead of forwarding. */
export interface ProxyAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * A small HTTP proxy in front of the emulator, for what the emulator does not model: Graph's
 * answers to a token that lost access. `answer` may answer a request itself (or act first, then let it through) (logged with
 * `(proxy)`); the rest is forwarded as is. `log`: every request, `METHOD /path status`.
 */
export async function startGraphProxy(target: string) {
  const hooks: { answer?: ((req: ProxiedRequest) => Promise<ProxyAnswer | undefined> | ProxyAnswer | undefined) | undefined; after?: ((req: ProxiedRequest, status: number) => Promise<void>) | undefined } = {};
  const log: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const request = { method: req.method ?? 'GET', path: new URL(req.url ?? '/', 'http://proxy').pathname };
        const own = await hooks.answer?.(request);
        if (own) {
          log.push(`${request.method} ${request.path} ${own.status} (proxy)`);
          res.writeHead(own.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(own.body));
          return;
        }
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(k))) as Record<string, string>;
        const init: RequestInit = chunks.length === 0 || request.method === 'GET' ? { method: request.method, headers } : { method: request.method, headers, body: new Uint8Array(Buffer.concat(chunks)) };
        const up = await fetch(target + (req.url ?? '/'), init);
        const text = await up.text();
        log.push(`${request.method} ${request.path} ${up.status}`);
        await hooks.after?.(request, up.status);
        res.writeHead(up.status, { 'content-type': up.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      })().catch((error: unknown) => {
        res.writeHead(502);
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}`, hooks, log, stop };
}

/**
 * Graph's answer to a request for an object the token cannot load: code 100, subcode 33,
 * `GraphMethodException` ("Unsupported get request. Object with ID '…' does not exist, cannot
 * be loaded due to missing permissions, or does not support this operation") — also for an ad
 * account (`act_…`) the token lost access to, and for a system user missing from the ad account
 * that owns an audience (Meta's error reference:
 * https://developers.facebook.com/docs/marketing-api/error-reference ; observed answer:
 * https://github.com/facebook/facebook-php-business-sdk/issues/422).
 */
export const objectMissing = (id: string, method: string): ProxyAnswer => ({
  status: 400,
  body: {
    error: {
      message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: 'ProxyTrace',
    },
  },
});

/** Graph's answer for a temporary problem (code 2, `is_transient`, HTTP 503): https://developers.facebook.com/docs/marketing-api/error-reference */
export const unavailable = (): ProxyAnswer => ({ status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'FacebookApiException', code: 2, is_transient: true, fbtrace_id: 'ProxyTrace' } } });

/** Graph's answer for an ad account over its rate limit (code 80003, custom audiences): https://developers.facebook.com/docs/marketing-api/overview/rate-limiting */
export const throttled = (): ProxyAnswer => ({
  status: 400,
  body: { error: { message: 'There have been too many calls from this ad-account. Wait a bit and try again.', type: 'OAuthException', code: 80003, error_subcode: 2446079, is_transient: true, fbtrace_id: 'ProxyTrace' } },
});

/** Graph's answer for an expired token (code 190, subcode 463): https://developers.facebook.com/docs/marketing-api/error-reference */
export const tokenExpired = (): ProxyAnswer => ({ status: 400, body: { error: { message: 'Error validating access token: Session has expired.', type: 'OAuthException', code: 190, error_subcode: 463, fbtrace_id: 'ProxyTrace' } } });
