import {
  EmulatorServer,
  type EmulatorData,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from '@syncmodes/connector-kit/emulator';
import { DEFAULT_API_VERSIONS, versionStatus, versionsList, type ApiVersionRange } from './api-versions';
import { BulkJobs, type BulkSettings } from './bulk-jobs';
import { collectionRoutes, COLLECTION_LIMIT, fieldsOf } from './collection-routes';
import { compositeRoute } from './composite-route';
import { describeJson, globalDescribeEntry, STANDARD_OBJECTS } from './org-schema';
import { API_USER_ID, Org, SfRequestError, type OrgOptions, type SaveResult, type SfRecord } from './org';

/** The emulated org's id (its identity URL and token answers name it). */
const ORG_ID = '00D000000000001AAA';
import { parseSoql, SoqlSyntaxError } from './soql';

/** Options of {@link createSalesforceEmulator}. */
export interface SalesforceEmulatorOptions extends OrgOptions {
  /** The access token the emulator accepts (`Authorization: Bearer …`). Default `emulator-token`. */
  readonly accessToken?: string | undefined;
  /** Data file: loaded at start, saved after every change. */
  readonly persistPath?: string | undefined;
  /** API requests allowed before `REQUEST_LIMIT_EXCEEDED` (the org's daily allocation). Default unlimited. */
  readonly dailyRequestLimit?: number | undefined;
  /** Records per query page before `nextRecordsUrl`. Default 2,000 (Salesforce's default batch). */
  readonly queryPageSize?: number | undefined;
  /** OAuth refresh token the token endpoint accepts (`POST /services/oauth2/token`, grant_type=refresh_token). */
  readonly refreshToken?: string | undefined;
  /** Consumer key the token endpoint expects with the refresh token. */
  readonly clientId?: string | undefined;
  /** The first access token stops working after this many API calls (a refreshed one never expires). */
  readonly expireTokenAfterCalls?: number | undefined;
  /** How Bulk API 2.0 jobs are processed (also settable through `POST /__emulator/bulk`). */
  readonly bulk?: Partial<BulkSettings> | undefined;
  /** The REST API versions served (a newer one answers 404 `NOT_FOUND`, a retired one 410, as Salesforce does). Default 31.0 to 68.0. */
  readonly apiVersions?: ApiVersionRange | undefined;
}

export { COLLECTION_LIMIT };
/** Longest request URI Salesforce accepts, characters. */
export const MAX_URI_LENGTH = 16_384;
/** The default token of the emulator. */
export const EMULATOR_ACCESS_TOKEN = 'emulator-token';

const errorBody = (errorCode: string, message: string, fields?: readonly string[]) => [{ message, errorCode, ...(fields && fields.length > 0 ? { fields } : {}) }];
const fail = (status: number, errorCode: string, message: string): EmulatorResponse => ({ status, body: errorBody(errorCode, message) });

/**
 * An emulator of the Salesforce REST API and Bulk API 2.0 (versions 31.0 to 68.0 by default, listed by `GET /services/data`; a newer one 404 `NOT_FOUND`) for the
 * subset the connector uses: describe, SOQL query with `nextRecordsUrl` paging, sObject
 * CRUD, sObject Collections create / update / upsert / delete (200 records at most,
 * `EXCEEDED_ID_LIMIT` above), Salesforce's error shapes and codes, required fields, field
 * lengths, restricted picklists, case-insensitive matching, an optional duplicate rule,
 * converted Leads, `REQUEST_LIMIT_EXCEEDED` and `INVALID_SESSION_ID`.
 *
 * Admin: `GET /__emulator/records` → `{ Contact: [...], Lead: [...], Campaign: [...],
 * CampaignMember: [...], Account: [...] }`; `POST /__emulator/seed` takes the same shape
 * (Contacts and Leads may carry `"Campaigns": ["name"]`; Leads `"IsConverted": true`);
 * `POST /__emulator/convert-leads` `{ "ids": [...] }` or `{ "emails": [...] }` converts
 * Leads the way a salesperson would (creating the Contacts); `GET|POST /__emulator/bulk`
 * reads or changes how Bulk API 2.0 jobs are processed ({@link BulkSettings}).
 *
 * Bulk API 2.0 (`/jobs/ingest` insert / update / upsert / delete with CSV upload, close,
 * abort, status, successful / failed / unprocessed results; `/jobs/query` with paged CSV
 * results): see {@link BulkJobs}.
 *
 * Reference: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/
 */
export function createSalesforceEmulator(options: SalesforceEmulatorOptions = {}): EmulatorServer & { readonly org: Org; readonly bulk: BulkJobs } {
  const org = new Org(options);
  // Jobs change data after their request was answered: persist then too (the server exists by the time a job runs).
  const bulk = new BulkJobs(org, () => server.persist());
  if (options.bulk) bulk.settings = { ...bulk.settings, ...options.bulk };
  let token: string | undefined = options.accessToken ?? EMULATOR_ACCESS_TOKEN;
  let refreshed = 0;
  let authenticatedCalls = 0;
  const pageSize = options.queryPageSize ?? 2_000;
  const cursors = new Map<string, { rows: SfRecord[]; offset: number }>();
  let cursorSeq = 0;
  let apiUsage = 0;
  const base = (req: EmulatorRequest) => `/services/data/${req.params.version ?? 'v62.0'}`;
  const versions = options.apiVersions ?? DEFAULT_API_VERSIONS;

  const data: EmulatorData<Record<string, SfRecord[]>> = {
    snapshot: () => org.snapshot(),
    seed: (input) => org.seed(input),
    load: (d) => org.load(d),
    reset: () => {
      org.reset();
      bulk.reset();
    },
  };

  const guarded = (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest): EmulatorResponse => {
    apiUsage++;
    const limitInfo = { 'sforce-limit-info': `api-usage=${apiUsage}/${options.dailyRequestLimit ?? 15_000_000}` };
    if (options.dailyRequestLimit !== undefined && apiUsage > options.dailyRequestLimit) {
      return { ...fail(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'), headers: limitInfo };
    }
    // A version the org does not serve (retired, or newer than its release): the resource does not exist.
    const served = req.params.version === undefined ? 'served' : versionStatus(versions, req.params.version);
    if (served === 'unknown') return { ...fail(404, 'NOT_FOUND', 'The requested resource does not exist'), headers: limitInfo };
    if (served === 'retired') return { ...fail(410, 'GONE', 'This API version is retired'), headers: limitInfo };
    if (req.url.pathname.length + req.url.search.length > MAX_URI_LENGTH) {
      return { status: 414, raw: '<html><body>414 URI Too Long</body></html>', headers: { 'content-type': 'text/html', ...limitInfo } };
    }
    try {
      const response = handler(req);
      return { ...response, headers: { ...response.headers, ...limitInfo } };
    } catch (error) {
      if (error instanceof SfRequestError) return { status: error.status, body: errorBody(error.errorCode, error.message, error.fields), headers: limitInfo };
      throw error;
    }
  };

  /** A handler whose request errors answer as Salesforce's error bodies, without counting a call (a Composite subrequest). */
  const unmetered = (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest): EmulatorResponse => {
    try {
      return handler(req);
    } catch (error) {
      if (error instanceof SfRequestError) return { status: error.status, body: errorBody(error.errorCode, error.message, error.fields) };
      throw error;
    }
  };

  const runQuery = (req: EmulatorRequest): EmulatorResponse => {
    const q = req.query.get('q');
    if (!q) return fail(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    let parsed;
    try {
      parsed = parseSoql(q);
    } catch (error) {
      if (error instanceof SoqlSyntaxError) return fail(400, 'MALFORMED_QUERY', `unexpected token: ${error.message}`);
      throw error;
    }
    if (parsed.count) return { status: 200, body: { totalSize: org.query(parsed).length, done: true, records: [] } };
    return page(req, org.query(parsed), 0);
  };

  const page = (req: EmulatorRequest, rows: SfRecord[], offset: number): EmulatorResponse => {
    const slice = rows.slice(offset, offset + pageSize);
    const done = offset + pageSize >= rows.length;
    let nextRecordsUrl: string | undefined;
    if (!done) {
      const cursor = `01g${String(++cursorSeq).padStart(15, '0')}-${offset + pageSize}`;
      cursors.set(cursor, { rows, offset: offset + pageSize });
      nextRecordsUrl = `${base(req)}/query/${cursor}`;
    }
    return { status: 200, body: { totalSize: rows.length, done, records: slice, ...(nextRecordsUrl ? { nextRecordsUrl } : {}) } };
  };

  const schemaOr404 = (type: string) => {
    const schema = org.schema(type);
    if (!schema) throw new SfRequestError(404, 'NOT_FOUND', `The requested resource does not exist`);
    return schema;
  };

  const saveError = (result: SaveResult): EmulatorResponse => ({
    status: 400,
    body: result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })),
  });

  const version = (req: EmulatorRequest) => req.params.version ?? 'v62.0';
  const jobId = (req: EmulatorRequest) => req.params.id as string;
  const csv = (status: number, text: string, headers: Record<string, string> = {}): EmulatorResponse => ({
    status,
    raw: text,
    headers: { 'content-type': 'text/csv', ...headers },
  });
  const bulkRoutes: EmulatorRoute[] = [
    { method: 'POST', path: '/services/data/:version/jobs/ingest', handler: guarded((req) => ({ status: 200, body: bulk.createIngest(req.body, version(req)) })) },
    { method: 'GET', path: '/services/data/:version/jobs/ingest/:id', handler: guarded((req) => ({ status: 200, body: bulk.ingestStatus(jobId(req)) })) },
    { method: 'PATCH', path: '/services/data/:version/jobs/ingest/:id', handler: guarded((req) => ({ status: 200, body: bulk.changeState(jobId(req), req.body) })) },
    {
      method: 'DELETE',
      path: '/services/data/:version/jobs/ingest/:id',
      handler: guarded((req) => {
        bulk.deleteIngest(jobId(req));
        return { status: 204 };
      }),
    },
    {
      method: 'PUT',
      path: '/services/data/:version/jobs/ingest/:id/batches',
      handler: guarded((req) => {
        if (!String(req.headers['content-type'] ?? '').startsWith('text/csv')) throw new SfRequestError(400, 'CLIENT_INPUT_ERROR', 'Content-Type must be text/csv');
        bulk.upload(jobId(req), req.rawBody);
        return { status: 201 };
      }),
    },
    { method: 'GET', path: '/services/data/:version/jobs/ingest/:id/successfulResults', mutates: false, handler: guarded((req) => csv(200, bulk.results(jobId(req), 'successful'))) },
    { method: 'GET', path: '/services/data/:version/jobs/ingest/:id/failedResults', mutates: false, handler: guarded((req) => csv(200, bulk.results(jobId(req), 'failed'))) },
    { method: 'GET', path: '/services/data/:version/jobs/ingest/:id/unprocessedrecords', mutates: false, handler: guarded((req) => csv(200, bulk.results(jobId(req), 'unprocessed'))) },
    { method: 'POST', path: '/services/data/:version/jobs/query', mutates: false, handler: guarded((req) => ({ status: 200, body: bulk.createQuery(req.body, version(req)) })) },
    { method: 'GET', path: '/services/data/:version/jobs/query/:id', handler: guarded((req) => ({ status: 200, body: bulk.queryStatus(jobId(req)) })) },
    {
      method: 'GET',
      path: '/services/data/:version/jobs/query/:id/results',
      handler: guarded((req) => {
        const maxRecords = req.query.get('maxRecords');
        const page = bulk.queryResults(jobId(req), maxRecords ? Number(maxRecords) : undefined, req.query.get('locator') ?? undefined);
        return csv(200, page.csv, { 'sforce-locator': page.locator, 'sforce-numberofrecords': String(page.count) });
      }),
    },
  ];

  const routes: EmulatorRoute[] = [
    {
      // OAuth 2.0 refresh token flow: https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm
      method: 'POST',
      path: '/services/oauth2/token',
      handler: (req) => {
        const form = (req.body ?? {}) as Record<string, string>;
        const refusal = { status: 400, body: { error: 'invalid_grant', error_description: 'expired access/refresh token' } };
        if (form.grant_type !== 'refresh_token' || !options.refreshToken || form.refresh_token !== options.refreshToken) return refusal;
        if (options.clientId && form.client_id !== options.clientId) return { status: 400, body: { error: 'invalid_client_id', error_description: 'client identifier invalid' } };
        refreshed++;
        token = `refreshed-${refreshed}-${Date.now().toString(36)}`;
        const base = `http://${req.headers.host ?? '127.0.0.1'}`;
        return {
          status: 200,
          body: { access_token: token, instance_url: base, id: `${base}/id/${ORG_ID}/${API_USER_ID}`, token_type: 'Bearer', issued_at: String(Date.now()), signature: 'emulator' },
        };
      },
    },
    ...bulkRoutes,
    // Versions: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_versions.htm
    { method: 'GET', path: '/services/data', mutates: false, handler: guarded(() => ({ status: 200, body: versionsList(versions) })) },
    {
      // Resources by Version, with the identity URL naming the org and the token's user:
      // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_discoveryresource.htm
      method: 'GET',
      path: '/services/data/:version',
      handler: guarded((req) => ({
        status: 200,
        body: {
          sobjects: `${base(req)}/sobjects`,
          query: `${base(req)}/query`,
          composite: `${base(req)}/composite`,
          jobs: `${base(req)}/jobs`,
          identity: `http://${req.headers.host ?? '127.0.0.1'}/id/${ORG_ID}/${API_USER_ID}`,
        },
      })),
    },
    {
      // Describe Global: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_describeGlobal.htm
      method: 'GET',
      path: '/services/data/:version/sobjects',
      handler: guarded((req) => ({ status: 200, body: { encoding: 'UTF-8', maxBatchSize: 200, sobjects: STANDARD_OBJECTS.map((o) => globalDescribeEntry(o, base(req))) } })),
    },
    { method: 'GET', path: '/services/data/:version/sobjects/:type/describe', handler: guarded((req) => ({ status: 200, body: describeJson(schemaOr404(req.params.type as string), base(req)) })) },
    { method: 'GET', path: '/services/data/:version/query', handler: guarded(runQuery) },
    {
      method: 'GET',
      path: '/services/data/:version/query/:cursor',
      handler: guarded((req) => {
        const cursor = cursors.get(req.params.cursor as string);
        if (!cursor) return fail(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        cursors.delete(req.params.cursor as string);
        return page(req, cursor.rows, cursor.offset);
      }),
    },
    {
      method: 'POST',
      path: '/services/data/:version/sobjects/:type',
      handler: guarded((req) => {
        const schema = schemaOr404(req.params.type as string);
        const fields = fieldsOf((req.body ?? {}) as SfRecord);
        org.checkJsonTypes(schema, fields);
        const result = org.create(schema.name, fields);
        return result.success ? { status: 201, body: result } : saveError(result);
      }),
    },
    {
      // Upsert one record by external id: 201 when created, 200 when updated.
      method: 'PATCH',
      path: '/services/data/:version/sobjects/:type/:field/:value',
      handler: guarded((req) => {
        const schema = schemaOr404(req.params.type as string);
        const field = org.field(schema, req.params.field as string);
        if (!field || !field.externalId) throw new SfRequestError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${req.params.field}`);
        const value = req.params.value as string;
        const fields = { ...fieldsOf((req.body ?? {}) as SfRecord), [field.name]: value };
        org.checkJsonTypes(schema, fields);
        const existing = org.upsertMatches(schema.name, field, value);
        // More than one record holds the external id: 300 with the matching records' URLs.
        // https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm
        if (existing.length > 1) return { status: 300, body: existing.map((r) => `${base(req)}/sobjects/${schema.name}/${String(r.Id)}`) };
        const found = existing[0];
        const result = found ? org.update(String(found.Id), fields, schema.name) : org.create(schema.name, fields);
        if (!result.success) return saveError(result);
        return { status: found ? 200 : 201, body: { id: result.id, success: true, errors: [], created: !found } };
      }),
    },
    {
      method: 'GET',
      path: '/services/data/:version/sobjects/:type/:id',
      handler: guarded((req) => {
        // sObject Rows: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_retrieve.htm
        const schema = schemaOr404(req.params.type as string);
        const id = req.params.id as string;
        const record = org.get(id);
        if (!record || org.schemaOfId(id)?.name !== schema.name) return fail(404, 'NOT_FOUND', 'The requested resource does not exist');
        const wanted = (req.query.get('fields') ?? '').split(',').filter(Boolean);
        const names = wanted.length > 0 ? wanted.map((n) => org.field(schema, n)?.name ?? n) : schema.fields.map((f) => f.name);
        const body: SfRecord = { attributes: { type: schema.name, url: `${base(req)}/sobjects/${schema.name}/${id}` } };
        for (const n of names) body[n] = record[n] ?? null;
        return { status: 200, body };
      }),
    },
    {
      method: 'PATCH',
      path: '/services/data/:version/sobjects/:type/:id',
      handler: guarded((req) => {
        const schema = schemaOr404(req.params.type as string);
        const fields = fieldsOf((req.body ?? {}) as SfRecord);
        org.checkJsonTypes(schema, fields);
        const result = org.update(req.params.id as string, fields, schema.name);
        return result.success ? { status: 204 } : saveError(result);
      }),
    },
    {
      method: 'DELETE',
      path: '/services/data/:version/sobjects/:type/:id',
      handler: guarded((req) => {
        const result = org.delete(req.params.id as string);
        return result.success ? { status: 204 } : { status: 404, body: result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode })) };
      }),
    },
    ...collectionRoutes({ org, guarded, schemaOr404 }),
    // A Composite request counts as one call: its subrequests run the collection routes unmetered.
    compositeRoute(org, guarded, collectionRoutes({ org, guarded: unmetered, schemaOr404 })),
  ];

  const server = new EmulatorServer({
    name: 'salesforce',
    routes,
    data,
    persistPath: options.persistPath,
    vendor: {
      rateLimited: () => ({ status: 403, body: errorBody('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.') }),
      serverError: (status) =>
        status === 503
          ? { status, body: errorBody('SERVER_UNAVAILABLE', 'Server temporarily unavailable, please try again later.') }
          : { status, body: errorBody('UNKNOWN_EXCEPTION', 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567890-12345 (-123456789)') },
      authExpired: () => ({ status: 401, body: errorBody('INVALID_SESSION_ID', 'Session expired or invalid') }),
      notFound: () => ({ status: 404, body: errorBody('NOT_FOUND', 'The requested resource does not exist') }),
    },
    authenticate: (req) => {
      if (req.path === '/services/oauth2/token') return undefined;
      if (token === undefined || req.headers.authorization !== `Bearer ${token}`) {
        return { status: 401, body: errorBody('INVALID_SESSION_ID', 'Session expired or invalid') };
      }
      authenticatedCalls++;
      if (refreshed === 0 && options.expireTokenAfterCalls !== undefined && authenticatedCalls > options.expireTokenAfterCalls) {
        token = undefined;
        return { status: 401, body: errorBody('INVALID_SESSION_ID', 'Session expired or invalid') };
      }
      return undefined;
    },
    admin: {
      'GET bulk': () => ({ status: 200, body: bulk.settings }),
      'POST bulk': (req) => {
        const b = (req.body ?? {}) as Partial<BulkSettings>;
        bulk.settings = { ...bulk.settings, ...b };
        return { status: 200, body: bulk.settings };
      },
      'POST convert-leads': (req) => {
        const body = (req.body ?? {}) as { ids?: string[]; emails?: string[] };
        const emails = new Set((body.emails ?? []).map((e) => e.toLowerCase()));
        const ids = [
          ...(body.ids ?? []),
          ...org.all('Lead').filter((l) => typeof l.Email === 'string' && emails.has(l.Email.toLowerCase())).map((l) => String(l.Id)),
        ];
        try {
          return { status: 200, body: ids.map((id) => ({ leadId: id, contactId: org.convertLead(id) })) };
        } catch (error) {
          return { status: 400, body: { error: (error as Error).message } };
        }
      },
    },
  });
  return Object.assign(server, { org, bulk });
}
