import {
  EmulatorServer,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorRoute,
} from '@syncmodes/connector-kit/emulator';
import { errorList, errorResponse, IntercomApiError } from './api-errors';
import { contactJson, contactReference } from './contact-json';
import { compileQuery } from './contact-search';
import { customAttributeJson, standardAttributeJson, STANDARD_CONTACT_ATTRIBUTES } from './data-attributes';
import { page } from './pages';
import { DEFAULT_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limiter';
import { EMULATOR_ADMIN_ID, Workspace } from './workspace';
import { workspaceData } from './workspace-data';

/** Options of {@link createIntercomEmulator}. */
export interface IntercomEmulatorOptions {
  /** The access token the emulator accepts (`Authorization: Bearer …`). Default `emulator-token`. */
  readonly accessToken?: string | undefined;
  /** Data file: loaded at start, saved after every change. */
  readonly persistPath?: string | undefined;
  /** A new contact is not found by search for this long, ms (Intercom's search is eventually consistent). Default 0. */
  readonly searchLagMs?: number | undefined;
  /** The app's rate limit; `false` for none. Default 1,667 calls per 10-second window (10,000 a minute). */
  readonly rateLimit?: RateLimitOptions | false | undefined;
  /** Clock, epoch ms. */
  readonly now?: (() => number) | undefined;
  /** Called with every API exchange the routes answer (contract tests validate both sides against the OpenAPI description). */
  readonly onExchange?: ((exchange: ApiExchange) => void) | undefined;
}

/** One request to an API route and the emulator's answer (headers left out: they carry the token). */
export interface ApiExchange {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly requestBody: unknown;
  readonly status: number;
  readonly responseBody: unknown;
}

/** The default token of the emulator. */
export const EMULATOR_ACCESS_TOKEN = 'emulator-token';

const body = (req: EmulatorRequest): Record<string, unknown> =>
  typeof req.body === 'object' && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
const ok = (value: unknown): EmulatorResponse => ({ status: 200, body: value });

/**
 * An emulator of the Intercom REST API 2.14 for what the connector uses, answering in the
 * API's own shapes (validated against the published OpenAPI description by the contract
 * tests):
 *
 * - contacts: `GET /contacts`, `POST /contacts`, `GET|PUT|DELETE /contacts/{id}`,
 *   `POST /contacts/search` (filters, `AND`/`OR` groups, paging), `POST /contacts/{id}/archive`
 *   and `/unarchive`; 409 `conflict` "…already exists with id=…" (also for archived and
 *   deleted users); unknown custom attributes refused; a configurable search-index lag;
 * - tags: `GET|POST /tags`, `DELETE /tags/{id}`, `GET|POST /contacts/{id}/tags`, `DELETE /contacts/{id}/tags/{tag_id}`;
 * - data attributes: `GET|POST /data_attributes` (contact model);
 * - `error.list` bodies with Intercom's codes; `X-RateLimit-*` headers on every
 *   authenticated answer and 429 `rate_limit_exceeded` past the app's limit.
 *
 * Admin (besides the kit's): `GET|POST /__emulator/settings` reads or changes
 * `{ "searchLagMs": 0, "rateLimit": { "limit": 1667, "windowMs": 10000 } | null }`.
 *
 * Reference: https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/
 */
export function createIntercomEmulator(options: IntercomEmulatorOptions = {}): EmulatorServer & { readonly workspace: Workspace } {
  const now = options.now ?? Date.now;
  const workspace = new Workspace({ searchLagMs: options.searchLagMs, now });
  const token = options.accessToken ?? EMULATOR_ACCESS_TOKEN;
  let limiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT, now);
  const window = () => (limiter ? `${Math.round(limiter.options.windowMs / 1000)}_seconds` : 'window');

  const answer = (req: EmulatorRequest, handler: (req: EmulatorRequest) => EmulatorResponse): EmulatorResponse => {
    const decision = limiter?.take();
    const headers = decision?.headers ?? {};
    if (decision && !decision.allowed) {
      return { status: 429, headers, body: errorList('rate_limit_exceeded', `Exceeded rate limit of ${limiter?.options.limit} in ${window()}`) };
    }
    try {
      const response = handler(req);
      return { ...response, headers: { ...response.headers, ...headers } };
    } catch (error) {
      if (error instanceof IntercomApiError) return { ...error.toResponse(), headers };
      throw error;
    }
  };
  const guarded = (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest): EmulatorResponse => {
    const response = answer(req, handler);
    options.onExchange?.({
      method: req.method,
      path: req.path,
      query: Object.fromEntries(req.query),
      requestBody: req.body,
      status: response.status,
      responseBody: response.body,
    });
    return response;
  };
  const route = (method: string, path: string, handler: (req: EmulatorRequest) => EmulatorResponse, mutates = method !== 'GET'): EmulatorRoute => ({
    method,
    path,
    handler: guarded(handler),
    mutates,
  });
  const id = (req: EmulatorRequest, name = 'id') => req.params[name] as string;

  const routes: EmulatorRoute[] = [
    route('GET', '/contacts', (req) =>
      ok({ type: 'list', ...page(workspace.contacts.filter((c) => !c.archived).map((c) => contactJson(c)), req.query.get('per_page') ?? undefined, req.query.get('starting_after')) }),
    ),
    route('POST', '/contacts/search', (req) => {
      const b = body(req);
      if (b.query === undefined) throw new IntercomApiError(400, 'parameter_not_found', 'query is required', 'query');
      const matches = compileQuery(b.query, workspace.attributes);
      const pagination = (b.pagination ?? {}) as { per_page?: unknown; starting_after?: unknown };
      const found = workspace.searchCandidates(b.query).filter(matches).map((c) => contactJson(c));
      return ok({ type: 'list', ...page(found, pagination.per_page, pagination.starting_after) });
    }, false),
    route('POST', '/contacts', (req) => ok(contactJson(workspace.createContact(body(req))))),
    route('GET', '/contacts/:id', (req) => ok(contactJson(workspace.active(id(req))))),
    route('PUT', '/contacts/:id', (req) => ok(contactJson(workspace.updateContact(id(req), body(req))))),
    route('DELETE', '/contacts/:id', (req) => ok(contactReference(workspace.deleteContact(id(req)), { deleted: true }))),
    route('POST', '/contacts/:id/archive', (req) => ok(contactReference(workspace.archive(id(req)), { archived: true }))),
    route('POST', '/contacts/:id/unarchive', (req) => ok(contactReference(workspace.unarchive(id(req)), { archived: false }))),
    route('GET', '/contacts/:id/tags', (req) => ok({ type: 'list', data: workspace.contactTags(id(req)) })),
    route('POST', '/contacts/:id/tags', (req) => {
      const tagId = body(req).id;
      if (typeof tagId !== 'string' && typeof tagId !== 'number') throw new IntercomApiError(400, 'parameter_not_found', 'id is required', 'id');
      const tag = workspace.tagContact(id(req), String(tagId));
      return ok({ type: 'tag', id: tag.id, name: tag.name, applied_at: workspace.nowSec(), applied_by: { type: 'admin', id: EMULATOR_ADMIN_ID } });
    }),
    route('DELETE', '/contacts/:id/tags/:tagId', (req) => {
      const tag = workspace.untagContact(id(req), id(req, 'tagId'));
      return ok({ type: 'tag', id: tag.id, name: tag.name, applied_at: workspace.nowSec(), applied_by: { type: 'admin', id: EMULATOR_ADMIN_ID } });
    }),
    route('DELETE', '/tags/:id', (req) => {
      workspace.deleteTag(id(req));
      return { status: 200 };
    }),
    route('GET', '/tags', () => ok({ type: 'list', data: workspace.tags.map((t) => ({ type: 'tag', id: t.id, name: t.name })) })),
    route('POST', '/tags', (req) => {
      const b = body(req);
      if (typeof b.name !== 'string' || b.name.trim() === '') throw new IntercomApiError(400, 'parameter_invalid', 'invalid tag parameters');
      if (b.companies !== undefined) throw new IntercomApiError(404, 'company_not_found', 'Company Not Found');
      let tag;
      if (b.id !== undefined) {
        tag = workspace.tag(String(b.id));
        tag.name = b.name;
      } else tag = workspace.tagNamed(b.name);
      if (Array.isArray(b.users)) {
        for (const u of b.users as { id?: unknown }[]) workspace.active(String(u.id));
        for (const u of b.users as { id?: unknown }[]) workspace.tagContact(String(u.id), tag.id);
      }
      return ok({ type: 'tag', id: tag.id, name: tag.name });
    }),
    route('GET', '/data_attributes', (req) => {
      const model = req.query.get('model');
      if (model !== null && model !== 'contact') return ok({ type: 'list', data: [] });
      const includeArchived = req.query.get('include_archived') === 'true';
      const custom = [...workspace.attributes.values()].filter((a) => includeArchived || !a.archived).map(customAttributeJson);
      return ok({ type: 'list', data: [...Object.keys(STANDARD_CONTACT_ATTRIBUTES).map(standardAttributeJson), ...custom] });
    }),
    route('POST', '/data_attributes', (req) => ok(customAttributeJson(workspace.createAttribute(body(req))))),
  ];

  const server = new EmulatorServer({
    name: 'intercom',
    routes,
    data: workspaceData(workspace),
    persistPath: options.persistPath,
    vendor: {
      rateLimited: (retryAfterSec) => ({
        status: 429,
        headers: limiter?.headersUntil(now() + retryAfterSec * 1000) ?? { 'X-RateLimit-Reset': String(Math.ceil((now() + retryAfterSec * 1000) / 1000)) },
        body: errorList('rate_limit_exceeded', `Exceeded rate limit of ${limiter?.options.limit ?? 0} in ${window()}`),
      }),
      serverError: (status) =>
        status === 503 ? errorResponse(503, 'service_unavailable', 'Service Unavailable') : errorResponse(status, 'server_error', 'Server Error'),
      authExpired: () => errorResponse(401, 'unauthorized', 'Access Token Invalid'),
      notFound: () => errorResponse(404, 'not_found', 'Resource Not Found'),
    },
    authenticate: (req) => (req.headers.authorization === `Bearer ${token}` ? undefined : errorResponse(401, 'unauthorized', 'Access Token Invalid')),
    admin: {
      'GET settings': () => ok({ searchLagMs: workspace.searchLagMs, rateLimit: limiter?.options ?? null }),
      'POST settings': (req) => {
        const b = body(req);
        if (typeof b.searchLagMs === 'number' && b.searchLagMs >= 0) workspace.searchLagMs = b.searchLagMs;
        if (b.rateLimit === null) limiter = undefined;
        else if (typeof b.rateLimit === 'object') {
          const r = b.rateLimit as Partial<RateLimitOptions>;
          if (!Number.isInteger(r.limit) || !Number.isInteger(r.windowMs) || (r.limit ?? 0) < 1 || (r.windowMs ?? 0) < 1) {
            return { status: 400, body: { error: 'rateLimit needs positive integers limit and windowMs' } };
          }
          limiter = new RateLimiter({ limit: r.limit as number, windowMs: r.windowMs as number }, now);
        }
        return ok({ searchLagMs: workspace.searchLagMs, rateLimit: limiter?.options ?? null });
      },
    },
  });
  return Object.assign(server, { workspace });
}
