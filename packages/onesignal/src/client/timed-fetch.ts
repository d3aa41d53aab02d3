import { ResponseContext, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@onesignal/node-onesignal';

/**
 * The SDK's HTTP layer (the same `fetch` call as its default library) with a per-request
 * timeout: the SDK sets none, and one hung connection would hang the sync. A timeout
 * rejects with a `TimeoutError`, which the kit retries.
 */
export function timedFetch(timeoutMs: number): HttpLibrary {
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const body = request.getBody();
      const response = await fetch(request.getUrl(), {
        method: request.getHttpMethod().toString(),
        ...(typeof body === 'string' ? { body } : {}),
        headers: request.getHeaders(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      const data = response.arrayBuffer().then((b) => Buffer.from(b));
      return new ResponseContext(response.status, headers, {
        text: async () => (await data).toString('utf8'),
        binary: () => data,
      });
    },
  });
}
