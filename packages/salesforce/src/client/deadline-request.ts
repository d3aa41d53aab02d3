import type { Agent } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import createProxyAgent from 'https-proxy-agent';
import type { HttpRequest, HttpRequestOptions } from 'jsforce';
import { createHttpRequestHandlerStreams } from 'jsforce/lib/request-helper.js';
import fetch, { type RequestInit } from 'node-fetch';
import { AuthError, answerTooLarge, maxAnswerBytes } from '@syncmodes/connector-kit';
import { cutAnswerError, watchedAgent } from './cut-answer';

/** Methods whose request carries a body (jsforce's own rule). */
const WITH_BODY = /^(post|put|patch)$/i;

/** The error a request cut by its deadline fails with: named `AbortError`, as jsforce's own timeout is. */
function deadlineError(timeoutMs: number): Error {
  return Object.assign(new Error(`No complete answer within ${timeoutMs} ms; the request was cancelled and its connection closed.`), { name: 'AbortError' });
}

/**
 * A jsforce request stream creator (what `Transport#getRequestStreamCreator` returns) whose
 * deadline covers the whole exchange: sending the request, the answer's headers and its
 * whole body. jsforce's own creator times out only the wait for the headers
 * (`executeWithTimeout` around node-fetch's `fetch`, jsforce 3 `lib/request.js`), so a
 * server that sends its headers and then stalls mid-body holds the call forever (#17,
 * second trial of stop 26). When the deadline passes, the fetch is aborted, which closes its
 * socket (node-fetch aborts the request, and so destroys its socket, on the signal until the body has ended), and
 * the stream fails with an `AbortError` that the connection reads as the retryable `timeout`.
 *
 * The streams are jsforce's (`createHttpRequestHandlerStreams`): jsforce writes the request
 * body into them and reads the answer from them as with its own creator (the answer is
 * handed over once whole, as jsforce reads it whole anyway), and the
 * HTTP client is jsforce's (node-fetch 2, through jsforce's proxy settings). No retries (the
 * kit's caller retries); redirects are followed unless `followRedirect` is `false`.
 *
 * @param timeoutMs - the deadline of one exchange, ms.
 */
export function deadlineRequest(timeoutMs: number): (req: HttpRequest, options: HttpRequestOptions) => Duplex {
  return (req, options) => {
    const { input, output, stream } = createHttpRequestHandlerStreams(req, options);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(deadlineError(timeoutMs)), timeoutMs);
    // The socket keeps the process alive while the request is open; the timer alone never does
    // (a call abandoned as the run stops must not hold the process until its deadline)…
    timer.unref();
    // …until the answer's headers are in: a server that then closes the connection before the
    // body it announced has ended leaves node-fetch's body neither ended nor failed, with no
    // socket left to keep the process alive — Node exited 13, no summary, no report (second
    // trial of stop 31). Held from there, the deadline ends such a call (`timeout`, retried).
    exchange(req, options, input, output, stream, controller.signal, () => timer.ref())
      .catch((error: unknown) => stream.emit('error', controller.signal.aborted ? controller.signal.reason : error))
      .finally(() => clearTimeout(timer));
    return stream;
  };
}

async function exchange(req: HttpRequest, options: HttpRequestOptions, input: Readable, output: Writable, stream: Duplex, signal: AbortSignal, onHeaders: () => void): Promise<void> {
  const { url, body: _body, ...rest } = req;
  // jsforce's `httpProxy` option, and its default: the proxy environment variables (jsforce 3 `lib/transport.js`).
  const env = process.env;
  const proxy = options.httpProxy ?? env.https_proxy ?? env.http_proxy ?? env.HTTPS_PROXY ?? env.HTTP_PROXY;
  // A connection closed before the answer ended fails the call at once (`network_error`, retried), not at its deadline.
  let cut: Error | undefined;
  const body: { cut?: (error: Error) => void } = {};
  let hop = 0; // a redirect's answer is left unread: only the last hop's answer counts
  const agent = (target: URL) => {
    const mine = ++hop;
    return watchedAgent(target.href, proxy ? (createProxyAgent(proxy) as unknown as Agent) : undefined, () => {
      if (mine !== hop) return;
      cut ??= cutAnswerError(req.method, url);
      body.cut?.(cut);
    });
  };
  const first = { ...rest, ...(WITH_BODY.test(req.method) ? { body: input } : {}), agent, signal };
  const { res, uncredentialed } = await followRedirects(url, first as RequestInit, options.followRedirect !== false);
  onHeaders();
  if (cut) throw cut;
  if (uncredentialed !== undefined && (res.status === 401 || res.status === 403)) {
    // Not the token's fault: it was never sent there (trial 20b NEW-4: the run said to check the access token).
    (res.body as unknown as Readable).resume();
    throw new AuthError(
      `Salesforce redirected ${req.method.toUpperCase()} ${new URL(url).pathname} to ${uncredentialed}, another origin, where the access token is not sent (only to the origin it was given for), and that answered ${res.status}. Check the instance URL: if your org moved (a My Domain change), give the URL it moved to.`,
      { status: res.status },
    );
  }
  body.cut = (error) => (res.body as unknown as Readable).destroy(error);
  // The whole body first: jsforce starts reading it on 'response' in a listener whose failure
  // nothing catches, so an error must come before 'response', never after.
  // Bounded (after decompression): an endless answer, or a gzip bomb, aborted Node with no summary (second trial of stop 32).
  const limit = maxAnswerBytes();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += bytes.length;
    if (size > limit) throw Object.assign(new Error(answerTooLarge('Salesforce', limit).message), { name: 'UnexpectedResponse' });
    chunks.push(bytes);
  }
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => (headers[name.toLowerCase()] = value));
  // A success answered with a web page (a proxy, a login page): jsforce would read it as a result and fail deep inside.
  if (res.status >= 200 && res.status < 300 && /text\/html/i.test(headers['content-type'] ?? '')) {
    throw Object.assign(new Error(`Salesforce answered ${req.method.toUpperCase()} ${new URL(url).pathname} with an HTML page (status ${res.status}), not its API's answer; check what answers at the instance URL (a proxy, a login page).`), { name: 'UnexpectedResponse' });
  }
  stream.emit('response', { statusCode: res.status, headers });
  output.end(Buffer.concat(chunks));
}

/** Redirect statuses (node-fetch 2's list), and how many are followed (its default). */
const REDIRECT = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/** `headers` without credentials: they are sent only to the origin they were given for. */
function withoutCredentials(headers: RequestInit['headers']): Record<string, string> {
  return Object.fromEntries(Object.entries((headers ?? {}) as Record<string, string>).filter(([name]) => !/^(authorization|cookie)$/i.test(name)));
}

/**
 * `fetch`, following redirects (when `follow`) as node-fetch 2 does — at most 20; 303, and 301
 * or 302 after a POST, become a GET without a body; a 307 or 308 of a request with a body is
 * not followed (the body was sent) — but sending the `Authorization` header (the access
 * token) and cookies only to the origin (scheme, host and port) they were given for.
 * node-fetch 2 keeps them when only the port changes, and a redirect to another port of the
 * same host received the token (trial 20b N7).
 *
 * @returns the last answer, and the origin credentials were last held back from
 *   (`uncredentialed`), when a redirect left the origin they were given for.
 */
async function followRedirects(url: string, init: RequestInit, follow: boolean): Promise<{ res: Awaited<ReturnType<typeof fetch>>; uncredentialed?: string }> {
  let target = url;
  let request: RequestInit = { ...init, redirect: 'manual' };
  let uncredentialed: string | undefined;
  for (let hops = 0; ; hops++) {
    const res = await fetch(target, request);
    const location = res.headers.get('location');
    if (!follow || !REDIRECT.has(res.status) || location === null) return uncredentialed === undefined ? { res } : { res, uncredentialed };
    const method = (request.method ?? 'GET').toUpperCase();
    const next = new URL(location, target);
    const problem = hops >= MAX_REDIRECTS ? `more than ${MAX_REDIRECTS} redirects` : request.body !== undefined && (res.status === 307 || res.status === 308) ? `a ${res.status} redirect of a ${method} whose body was sent` : undefined;
    if (problem) throw Object.assign(new Error(`Salesforce answered ${method} ${new URL(url).pathname} with ${problem} (to ${next.origin}${next.pathname}); check the instance URL.`), { name: 'UnexpectedResponse' });
    (res.body as unknown as Readable).resume();
    const toGet = res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST');
    const sameOrigin = next.origin === new URL(target).origin;
    const headers = sameOrigin ? request.headers : withoutCredentials(request.headers);
    if (!sameOrigin) uncredentialed = next.origin;
    const { body: _sent, ...rest } = request;
    const bodyless = Object.fromEntries(Object.entries((headers ?? {}) as Record<string, string>).filter(([name]) => !/^content-(length|type)$/i.test(name)));
    request = toGet ? { ...rest, method: 'GET', headers: bodyless } : { ...request, headers };
    target = next.href;
  }
}
