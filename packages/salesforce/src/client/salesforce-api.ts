import type { HttpRequest } from 'jsforce';
import { SyncError } from '@syncmodes/connector-kit';
import { describeOf, queryPageOf } from './answer-shapes';
import type { SalesforceSaveError } from './errors';
import { SalesforceConnection, type AnswerInfo } from './salesforce-connection';

/** Most requests the org lets one user have in flight (25 long-running requests). */
const MAX_INFLIGHT = 25;

/** One SaveResult of an sObject Collections call. */
export interface SaveResult {
  readonly id?: string | null;
  readonly success: boolean;
  readonly errors: readonly SalesforceSaveError[];
  readonly created?: boolean;
}

/** One subrequest of a Composite call: an sObject Collections request, its path below the API's base (e.g. `/composite/sobjects`). */
export interface CompositeSubrequest {
  readonly method: 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly body: unknown;
}

/** What a Composite call answered for one subrequest. */
export interface CompositeSubresponse {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The Composite answer's subresponses, checked: an answer of another shape, with another
 * number of subresponses, or whose subresponses do not name the subrequests in order, fails the call `unexpected_response` (retryable): it may have been
 * applied, so what it created is looked up before anything is sent again.
 */
function compositeAnswerOf(answer: unknown, count: number): CompositeSubresponse[] {
  const list = (answer as { compositeResponse?: unknown } | null)?.compositeResponse;
  // Each subresponse must name its subrequest (`part<i>`, in order): another answer's parts could otherwise be taken for these.
  const ok =
    Array.isArray(list) &&
    list.length === count &&
    list.every((r, i) => typeof (r as { httpStatusCode?: unknown })?.httpStatusCode === 'number' && (r as { referenceId?: unknown }).referenceId === `part${i}`);
  if (!ok) throw new SyncError('unexpected_response', 'Salesforce answered a Composite call with a body that is not its list of subresponses; it may have been applied.', { status: 200, retryable: true });
  return (list as { httpStatusCode: number; body: unknown }[]).map((r) => ({ status: r.httpStatusCode, body: r.body }));
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
  /** Salesforce refuses a second record with the same value (the field's Unique attribute). */
  readonly unique: boolean;
  /**
   * The field compares text case-sensitively (describe `caseSensitive`; a text field marked
   * "Unique, case sensitive"): SOQL's `=` and `IN` then match only a value written the same way.
   * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
   */
  readonly caseSensitive: boolean;
  readonly restrictedPicklist: boolean;
  readonly picklistValues: readonly { readonly value: string; readonly active: boolean }[];
  /**
   * Number types: the digits kept after the decimal point (describe `scale`; 0 for a
   * Number(18, 0) field, which describes as `double`). Salesforce rounds a value with more.
   * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_describesobjects_describesobjectresult.htm#field
   */
  readonly scale?: number | undefined;
}

/** An object's describe (subset). */
export interface ObjectDescribe {
  readonly name: string;
  readonly fields: readonly FieldDescribe[];
}

/** OAuth 2.0 refresh settings (a connected app's refresh token). */
export interface OAuthRefresh {
  readonly refreshToken: string;
  readonly clientId: string;
  readonly clientSecret?: string | undefined;
  /** Token service base URL, e.g. https://login.salesforce.com. */
  readonly loginUrl: string;
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

/** Options of {@link SalesforceApi#request}. */
export interface RawRequestOptions {
  /** Called with the answer's status and headers (Bulk API 2.0 pages query results with `Sforce-Locator`). */
  readonly onAnswer?: ((answer: AnswerInfo) => void) | undefined;
}

type RefreshCallback = (err: Error | null | undefined, accessToken?: string) => void;

/**
 * The Salesforce calls the connector makes, through jsforce's own APIs on a
 * {@link SalesforceConnection} (no jsforce retries, the configured timeout on every
 * request, errors as the kit's classes):
 *
 * - describe: `conn.sobject(object).describe()`;
 * - SOQL: `conn.query(soql)` then `conn.queryMore(nextRecordsUrl)` to the end;
 * - writes: `conn.sobject(object).create / update / destroy` with arrays of at most 200 and
 *   `allOrNone: false` — jsforce sends them as sObject Collections (API 42.0+), one SaveResult
 *   per record in input order, good records kept;
 * - Bulk API 2.0: {@link request} (see `bulk-api.ts` for why not `conn.bulk2`).
 *
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm
 */
export class SalesforceApi {
  readonly connection: SalesforceConnection;
  private readonly base: string;

  /** Times the access token was refreshed (at most once). */
  refreshes = 0;
  private refreshFailed = false;
  private reuses = 0;

  constructor(options: SalesforceApiOptions) {
    const refresh = options.refresh;
    this.connection = new SalesforceConnection(
      {
        instanceUrl: options.instanceUrl,
        accessToken: options.accessToken,
        version: options.apiVersion,
        ...(refresh
          ? {
              oauth2: { clientId: refresh.clientId, loginUrl: refresh.loginUrl, ...(refresh.clientSecret ? { clientSecret: refresh.clientSecret } : {}) },
              refreshToken: refresh.refreshToken,
              refreshFn: (conn: unknown, callback: RefreshCallback) => this.refreshOnce(refresh, callback),
            }
          : {}),
      },
      options.timeoutMs,
    );
    this.base = `/services/data/v${options.apiVersion}`;
  }

  /**
   * The refresh function jsforce calls on INVALID_SESSION_ID: refreshes once per run; the
   * requests that were in flight with the old token then retry with the new one (up to as
   * many as can be in flight); past that, the new token itself was refused.
   *
   * The token request is our own POST through jsforce's transport (`postForm`): jsforce's
   * `OAuth2#refreshToken` sends it with no timeout and takes no options, so a hung token
   * endpoint would hold the run. https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
   */
  private refreshOnce(refresh: OAuthRefresh, callback: RefreshCallback): void {
    const conn = this.connection;
    if (this.refreshes >= 1) {
      if (!this.refreshFailed && ++this.reuses <= MAX_INFLIGHT && conn.accessToken) callback(undefined, conn.accessToken);
      else callback(new Error('the refreshed access token was refused too'));
      return;
    }
    this.refreshes++;
    const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refresh.refreshToken, client_id: refresh.clientId };
    if (refresh.clientSecret) form.client_secret = refresh.clientSecret;
    conn.postForm(conn.oauth2.tokenServiceUrl, form).then(
      ({ status, body }) => {
        const parsed = parseJson(body) as { access_token?: string; error?: string; error_description?: string } | undefined;
        if (status >= 400 || !parsed?.access_token) {
          this.refreshFailed = true;
          const error = new Error(parsed?.error_description ?? `HTTP ${status}`);
          error.name = parsed?.error ?? `ERROR_HTTP_${status}`;
          callback(error);
          return;
        }
        conn.accessToken = parsed.access_token;
        callback(undefined, parsed.access_token);
      },
      (error: unknown) => {
        this.refreshFailed = true;
        callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }

  /**
   * One request through jsforce's `Connection#request` (for the Bulk API 2.0 calls). A
   * request that accepts `text/csv` gets the body as text (jsforce would parse every row
   * into an object).
   *
   * @throws {@link SyncError} (network failures other than the timeout are left to the kit's `toSyncError`).
   */
  async request<T>(request: HttpRequest, options: RawRequestOptions = {}): Promise<T> {
    const csv = request.headers?.accept === 'text/csv';
    return this.connection.request<T>(request, { onAnswer: options.onAnswer, ...(csv ? { responseType: 'text/plain' } : {}) });
  }

  private user: Promise<string> | undefined;

  /**
   * The id of the user this connection acts as (the integration user): the last segment of the
   * identity URL that Resources by Version lists (`GET /services/data/vXX.X/`, one call, then
   * kept). https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_discoveryresource.htm ,
   * https://developer.salesforce.com/docs/atlas.en-us.mobile_sdk.meta/mobile_sdk/oauth_using_identity_urls.htm
   *
   * @throws {@link SyncError} `unexpected_response` when the answer names no user id.
   */
  userId(): Promise<string> {
    this.user ??= this.connection.request<{ identity?: unknown }>({ method: 'GET', url: `${this.base}/` }).then((answer) => {
      const id = typeof answer?.identity === 'string' ? answer.identity.split('/').pop() : undefined;
      if (id === undefined || !/^005[A-Za-z0-9]{12}([A-Za-z0-9]{3})?$/.test(id)) throw new SyncError('unexpected_response', 'Salesforce listed its REST resources without an identity URL naming the user.', { retryable: true });
      return id;
    });
    this.user.catch(() => (this.user = undefined));
    return this.user;
  }

  /**
   * The REST API versions the org serves (`GET /services/data/`, e.g. `['31.0', …, '66.0']`).
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
   */
  async versions(): Promise<string[]> {
    const answer = await this.connection.request<unknown>({ method: 'GET', url: '/services/data' });
    return Array.isArray(answer) ? answer.flatMap((v) => (typeof (v as { version?: unknown })?.version === 'string' ? [(v as { version: string }).version] : [])) : [];
  }

  /** The object's describe (`GET /sobjects/{object}/describe`). */
  async describe(object: string): Promise<ObjectDescribe> {
    return describeOf(await this.connection.sobject(object).describe(), object);
  }

  /** Runs a SOQL query and follows `nextRecordsUrl` to the end. */
  async query<T>(soql: string): Promise<T[]> {
    let page = queryPageOf<T>(await notReadable(() => this.connection.query(soql)));
    const records: T[] = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      const next = page.nextRecordsUrl;
      page = queryPageOf<T>(await notReadable(() => this.connection.queryMore(next)));
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
    return queryPageOf(await notReadable(() => this.connection.query(soql))).totalSize;
  }

  /** Creates up to 200 records of `object` (sObject Collections, `allOrNone: false`). */
  async create(object: string, records: readonly Record<string, unknown>[]): Promise<SaveResult[]> {
    return (await this.connection.sobject(object).create(records.map((r) => ({ ...r })), { allOrNone: false })) as unknown as SaveResult[];
  }

  /**
   * Upserts up to 200 records of `object` by the external-id field `externalIdField` (sObject
   * Collections upsert, `allOrNone: false`): each SaveResult's `created` says whether the
   * record was created or an existing one updated; a value held by several records fails that
   * record with `DUPLICATE_EXTERNAL_ID`. Every record must carry a value for the field.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
   */
  async upsert(object: string, externalIdField: string, records: readonly Record<string, unknown>[]): Promise<SaveResult[]> {
    return (await this.connection.sobject(object).upsert(records.map((r) => ({ ...r })), externalIdField, { allOrNone: false })) as unknown as SaveResult[];
  }

  /**
   * Several sObject Collections requests in one call: the Composite resource, `allOrNone:
   * false` (a subrequest that fails leaves the others) and `collateSubrequests: false` (run in
   * the order given). "The entire series of requests counts as a single call toward your API
   * limits"; sObject Collections subrequests need API version 43.0 (upserts by an external id:
   * 46.0; `collateSubrequests`: 48.0). Returns each subrequest's status and body, in order.
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm ,
   * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite.htm
   */
  async composite(requests: readonly CompositeSubrequest[]): Promise<CompositeSubresponse[]> {
    const body = {
      allOrNone: false,
      collateSubrequests: false,
      compositeRequest: requests.map((r, i) => ({ method: r.method, url: `${this.base}${r.path}`, referenceId: `part${i}`, body: r.body })),
    };
    const answer = await this.connection.request<unknown>({ method: 'POST', url: `${this.base}/composite`, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return compositeAnswerOf(answer, requests.length);
  }

  /** Updates up to 200 records by id (`null` clears a field). */
  async update(object: string, records: readonly ({ Id: string } & Record<string, unknown>)[]): Promise<SaveResult[]> {
    return (await this.connection.sobject(object).update(records.map((r) => ({ ...r })), { allOrNone: false })) as unknown as SaveResult[];
  }

  /** Deletes up to 200 records of `object` by id. */
  async destroy(object: string, ids: readonly string[]): Promise<SaveResult[]> {
    return (await this.connection.sobject(object).destroy([...ids], { allOrNone: false })) as unknown as SaveResult[];
  }
}

/**
 * Runs a jsforce query: jsforce reads the page itself (`records.length`), so an answer of
 * another shape fails there with a `TypeError` — turned into `unexpected_response`
 * (retryable) here, never shown raw (re-check of stop 32).
 */
async function notReadable<T>(query: () => PromiseLike<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if (error instanceof TypeError) throw new SyncError('unexpected_response', 'Salesforce answered a query with a body that is not a page of records; it is sent again.', { status: 200, retryable: true, cause: error });
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
