import { Connection, type HttpRequest } from 'jsforce';
import { AuthError } from '@syncmodes/connector-kit';
import { jsforceErrorToSyncError, type SalesforceSaveError } from './errors';

/** Most requests the org lets one user have in flight (25 long-running requests). */
const MAX_INFLIGHT = 25;

/** OAuth 2.0 token endpoint error codes (RFC 6749 §5.2, Salesforce additions). */
const OAUTH_ERRORS = new Set(['invalid_grant', 'invalid_client', 'invalid_client_id', 'invalid_request', 'unauthorized_client', 'unsupported_grant_type', 'inactive_user', 'inactive_org']);

/** One SaveResult of an sObject Collections call. */
export interface SaveResult {
  readonly id?: string | null;
  readonly success: boolean;
  readonly errors: readonly SalesforceSaveError[];
  readonly created?: boolean;
}

/** A field of a describe result (the properties the connector reads). */
export interface FieldDescribe {
  readonly name: string;
  readonly type: string;
  readonly length: number;
  readonly nillable: boolean;
  readonly createable: boolean;
  readonly updateable: boolean;
  readonly defaultedOnCreate: boolean;
  readonly externalId: boolean;
  readonly restrictedPicklist: boolean;
  readonly picklistValues: readonly { readonly value: string; readonly active: boolean }[];
}

/** An object's describe (subset). */
export interface ObjectDescribe {
  readonly name: string;
  readonly fields: readonly FieldDescribe[];
}

interface QueryPage<T> {
  readonly records: T[];
  readonly done: boolean;
  readonly nextRecordsUrl?: string;
}

/** OAuth 2.0 refresh settings (a connected app's refresh token). */
export interface OAuthRefresh {
  readonly refreshToken: string;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  /** Token service base URL, e.g. https://login.salesforce.com. */
  readonly loginUrl: string;
}

interface TransportLike {
  httpRequest(request: HttpRequest, options: unknown): PromiseLike<{ headers: Record<string, string | undefined> }>;
}

/**
 * jsforce's transport for `connection`, reporting each response's headers to `onHeaders`
 * (jsforce's `Connection#request` returns only the body). The returned promise is jsforce's
 * own, untouched, so streaming and error handling stay jsforce's.
 */
function headerCapturingTransport(connection: Connection, onHeaders: (headers: Readonly<Record<string, string | undefined>>) => void): TransportLike {
  const transport = (connection as unknown as { _transport: TransportLike })._transport;
  return {
    httpRequest(request, options) {
      const pending = transport.httpRequest(request, options);
      pending.then(
        (response) => onHeaders(response.headers ?? {}),
        () => undefined,
      );
      return pending;
    },
  };
}

/** Options of {@link SalesforceApi}. */
export interface SalesforceApiOptions {
  readonly instanceUrl: string;
  readonly accessToken: string;
  /** When set, an expired session (INVALID_SESSION_ID) is refreshed once per run, then the run stops. */
  readonly refresh?: OAuthRefresh | undefined;
  /** e.g. `62.0`. */
  readonly apiVersion: string;
  /** Per-request timeout, ms. */
  readonly timeoutMs: number;
}

/**
 * The REST calls the connector makes, through jsforce's `Connection#request` with jsforce's
 * own retries switched off (`retry.maxRetries: 0`): the kit owns retries, backoff and
 * pacing. Errors are translated by {@link jsforceErrorToSyncError}.
 *
 * Calls: describe, SOQL query (following `nextRecordsUrl`), sObject Collections create /
 * update / delete (at most 200 records; `allOrNone: false` keeps good records).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
export class SalesforceApi {
  readonly connection: Connection;
  private readonly base: string;

  /** Times the access token was refreshed (at most once). */
  refreshes = 0;
  private refreshFailed = false;
  private reuses = 0;

  constructor(private readonly options: SalesforceApiOptions) {
    const refresh = options.refresh;
    this.connection = new Connection({
      instanceUrl: options.instanceUrl,
      accessToken: options.accessToken,
      version: options.apiVersion,
      ...(refresh
        ? {
            oauth2: { clientId: refresh.clientId, loginUrl: refresh.loginUrl, ...(refresh.clientSecret ? { clientSecret: refresh.clientSecret } : {}) },
            refreshToken: refresh.refreshToken,
            refreshFn: (conn: Connection, callback: (err: Error | null | undefined, accessToken?: string) => void) => {
              if (this.refreshes >= 1) {
                // Requests sent before the refresh come back 401 too: let up to as many as can be in
                // flight retry with the new token; past that, the new token itself is refused.
                if (!this.refreshFailed && ++this.reuses <= MAX_INFLIGHT && conn.accessToken) callback(undefined, conn.accessToken);
                else callback(new Error('the refreshed access token was refused too'));
                return;
              }
              this.refreshes++;
              conn.oauth2.refreshToken(refresh.refreshToken).then(
                (res) => {
                  conn.accessToken = res.access_token;
                  callback(undefined, res.access_token);
                },
                (error: unknown) => {
                  this.refreshFailed = true;
                  callback(error instanceof Error ? error : new Error(String(error)));
                },
              );
            },
          }
        : {}),
    });
    this.base = `/services/data/v${options.apiVersion}`;
  }

  /**
   * Sends one request through jsforce's request layer (`Connection#request`) with jsforce's
   * retries off and the configured timeout. With `onHeaders`, the response headers are
   * handed over too (Bulk API 2.0 pages query results with `Sforce-Locator`): jsforce's
   * own transport is wrapped for this one request. A request that accepts `text/csv` gets
   * the body as text (jsforce would parse every row into an object).
   *
   * @throws {@link SyncError} translated by {@link jsforceErrorToSyncError} (network
   *   failures are left to the kit's `toSyncError`).
   */
  async request<T>(request: HttpRequest, onHeaders?: (headers: Readonly<Record<string, string | undefined>>) => void): Promise<T> {
    const options: Record<string, unknown> = { retry: { maxRetries: 0 }, timeout: this.options.timeoutMs };
    if (onHeaders) options.transport = headerCapturingTransport(this.connection, onHeaders);
    // CSV answers (Bulk API results) come back as text: the caller parses only the columns it needs.
    if (request.headers?.accept === 'text/csv') options.responseType = 'text/plain';
    try {
      return await this.connection.request<T>(request, options);
    } catch (error) {
      const oauthRefusal = error instanceof Error && OAUTH_ERRORS.has(error.name);
      if (error instanceof Error && (oauthRefusal || /^Unable to refresh session/.test(error.message))) {
        throw new AuthError(
          `Salesforce refused the access token and refreshing it did not help (${oauthRefusal ? error.name : error.message.replace(/^Unable to refresh session due to: /, '')}). Check the refresh token and connected app, then run again.`,
          { status: 401, vendorCode: 'INVALID_SESSION_ID' },
        );
      }
      throw jsforceErrorToSyncError(error);
    }
  }

  /** `GET /sobjects/{object}/describe`. */
  describe(object: string): Promise<ObjectDescribe> {
    return this.request<ObjectDescribe>({ method: 'GET', url: `${this.base}/sobjects/${encodeURIComponent(object)}/describe` });
  }

  /** Runs a SOQL query and follows `nextRecordsUrl` to the end. */
  async query<T>(soql: string): Promise<T[]> {
    const records: T[] = [];
    let page = await this.request<QueryPage<T>>({ method: 'GET', url: `${this.base}/query?q=${encodeURIComponent(soql)}` });
    records.push(...page.records);
    while (!page.done && page.nextRecordsUrl) {
      page = await this.request<QueryPage<T>>({ method: 'GET', url: page.nextRecordsUrl });
      records.push(...page.records);
    }
    return records;
  }

  /** The REST API's path prefix, e.g. `/services/data/v62.0`. */
  get basePath(): string {
    return this.base;
  }

  /** Runs a `SELECT COUNT() FROM …` query; returns the count (`totalSize`). */
  async count(soql: string): Promise<number> {
    const page = await this.request<{ totalSize: number }>({ method: 'GET', url: `${this.base}/query?q=${encodeURIComponent(soql)}` });
    return page.totalSize;
  }

  /** `POST /composite/sobjects`: creates up to 200 records of `object`. */
  create(object: string, records: readonly Record<string, unknown>[]): Promise<SaveResult[]> {
    return this.request<SaveResult[]>({
      method: 'POST',
      url: `${this.base}/composite/sobjects`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ allOrNone: false, records: records.map((r) => ({ attributes: { type: object }, ...r })) }),
    });
  }

  /** `PATCH /composite/sobjects`: updates up to 200 records by id (`null` clears a field). */
  update(object: string, records: readonly ({ Id: string } & Record<string, unknown>)[]): Promise<SaveResult[]> {
    return this.request<SaveResult[]>({
      method: 'PATCH',
      url: `${this.base}/composite/sobjects`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        allOrNone: false,
        records: records.map(({ Id, ...fields }) => ({ attributes: { type: object }, id: Id, ...fields })),
      }),
    });
  }

  /** `DELETE /composite/sobjects?ids=…`: deletes up to 200 records. */
  destroy(ids: readonly string[]): Promise<SaveResult[]> {
    return this.request<SaveResult[]>({
      method: 'DELETE',
      url: `${this.base}/composite/sobjects?ids=${ids.map(encodeURIComponent).join(',')}&allOrNone=false`,
    });
  }
}
