import { Connection, type ConnectionConfig, type HttpRequest, type HttpResponse, type StreamPromise } from 'jsforce';
import { Transport } from 'jsforce/lib/transport.js';
import { deadlineRequest } from './deadline-request';
import { jsforceErrorToSyncError } from './errors';

/** What one answer said besides its body (Bulk API 2.0 pages query results with `Sforce-Locator`). */
export interface AnswerInfo {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

/** Options of {@link SalesforceConnection#request} beyond jsforce's own (`responseType`, `noContentResponse`…). */
export interface RequestOptions {
  /** Called with the status and headers of the answer. */
  readonly onAnswer?: ((answer: AnswerInfo) => void) | undefined;
  readonly responseType?: string | undefined;
}

/**
 * jsforce's HTTP transport with a deadline over the whole exchange (its request stream
 * creator is {@link deadlineRequest}), told about every answer (status and headers) before
 * jsforce reads its body. Passed per request through jsforce's own `transport` request
 * option (`HttpApi` takes `options.transport`).
 */
class ObservedTransport extends Transport {
  constructor(
    private readonly timeoutMs: number,
    private readonly onAnswer: (answer: AnswerInfo) => void = () => undefined,
  ) {
    super();
  }

  override getRequestStreamCreator(): ReturnType<Transport['getRequestStreamCreator']> {
    return deadlineRequest(this.timeoutMs);
  }

  override httpRequest(req: HttpRequest, options?: Parameters<Transport['httpRequest']>[1]): StreamPromise<HttpResponse> {
    const pending = super.httpRequest(req, options);
    pending.then(
      (res) => this.onAnswer({ status: res.statusCode, headers: res.headers ?? {} }),
      () => undefined,
    );
    return pending;
  }
}

/**
 * A jsforce {@link Connection} whose every request — jsforce's own (sObject collections,
 * query, describe) and ours (`request`) — has the kit's terms (the pattern of Salesforce's
 * own `@salesforce/core`, which subclasses jsforce's Connection and overrides `request`):
 *
 * - **no jsforce retries** (`retry.maxRetries: 0`): the kit's caller paces, retries and counts
 *   every call; jsforce would otherwise retry GET / PUT / DELETE up to 5 times on 429, 5xx and
 *   network errors behind its back;
 * - **a timeout that closes the socket** (`timeout`): the fetch is aborted (node-fetch
 *   destroys the request and its socket) when the exchange — request, headers and the whole
 *   body — has not ended within `timeoutMs` ({@link deadlineRequest}): a hung server, and
 *   one that sends its headers and then stalls mid-body;
 * - **errors as the kit's classes**: a rejection becomes a `SyncError` through the kit's
 *   `httpError` ladder, with the HTTP status and headers of the answer (jsforce's errors do
 *   not carry them; a `Retry-After` is the wait of a rate limit).
 *
 * https://jsforce.github.io/document/#connection , https://github.com/forcedotcom/sfdx-core (src/org/connection.ts)
 */
export class SalesforceConnection extends Connection {
  constructor(
    config: ConnectionConfig,
    /** Per-request timeout, ms. */
    readonly timeoutMs: number,
  ) {
    super(config);
  }

  /**
   * jsforce's `Connection#request` with the options above. Rejects with a `SyncError`
   * (network failures other than the timeout are left to the kit's `toSyncError`).
   */
  override request<R = unknown>(request: string | HttpRequest, options: RequestOptions & Record<string, unknown> = {}): StreamPromise<R> {
    const { onAnswer, ...jsforceOptions } = options;
    const req: HttpRequest = typeof request === 'string' ? { method: 'GET', url: request } : request;
    let status: number | undefined;
    let headers: AnswerInfo['headers'] | undefined;
    const transport = new ObservedTransport(this.timeoutMs, (answer) => {
      ({ status, headers } = answer);
      onAnswer?.(answer);
    });
    const inner = super.request<R>(req, { ...jsforceOptions, transport, retry: { maxRetries: 0 }, timeout: this.timeoutMs });
    const translated = inner.then(undefined, (error: unknown) => {
      throw jsforceErrorToSyncError(error, { method: req.method, url: req.url, status, headers, timeoutMs: this.timeoutMs });
    });
    // jsforce's StreamPromise: a promise with `stream()` (jsforce's runtime does not export the class from its index).
    return Object.assign(translated, { stream: () => inner.stream() }) as StreamPromise<R>;
  }

  /**
   * A POST of a form through jsforce's transport with the same terms (no retries, the
   * deadline): the token refresh, which jsforce's `OAuth2` sends with neither option.
   */
  async postForm(url: string, form: Readonly<Record<string, string>>): Promise<{ status: number; body: string }> {
    const res = await new ObservedTransport(this.timeoutMs).httpRequest(
      { method: 'POST', url, body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      { retry: { maxRetries: 0 }, timeout: this.timeoutMs },
    );
    return { status: res.statusCode, body: res.body };
  }
}
