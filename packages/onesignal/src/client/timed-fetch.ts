import { ResponseContext, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@onesignal/node-onesignal';
import { answerTooLarge, maxAnswerBytes } from '@syncmodes/connector-kit';

/**
 * An answer's body, read at most `limit` bytes (decompressed): past that, reading stops and
 * the call fails `unexpected_response` (retryable). An endless answer, or a 13 MB gzip
 * answer inflating to 3 GB, took the CLI to 6.6 GB of memory (trial 20b N6).
 */
async function readBounded(response: Response, limit: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw answerTooLarge('OneSignal', limit);
    }
    chunks.push(Buffer.from(value));
  }
}

/**
 * The most a OneSignal answer is read, bytes (16 MiB), below `maxAnswerBytes()` when that is
 * more: an answer is one user (its tags: at most a few KB), and about ten lookups are read at
 * once — ten answers of 256 MiB each took the CLI to 4.1 GB (re-check of trial 20b N6).
 */
export const MAX_ONESIGNAL_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * The SDK's HTTP layer (the same `fetch` call as its default library) with a per-request
 * timeout: the SDK sets none, and one hung connection would hang the sync. A timeout
 * rejects with a `TimeoutError`, which the kit retries. Answers are read at most
 * {@link MAX_ONESIGNAL_ANSWER_BYTES}, or `maxAnswerBytes()` (`SYNCMODES_MAX_ANSWER_BYTES`) when that is less.
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
      const data = readBounded(response, Math.min(maxAnswerBytes(), MAX_ONESIGNAL_ANSWER_BYTES));
      data.catch(() => undefined); // failed only for whoever reads it
      return new ResponseContext(response.status, headers, {
        text: async () => (await data).toString('utf8'),
        binary: () => data,
      });
    },
  });
}
