import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from '@syncmodes/connector-kit/emulator';
import { SfRequestError, type Org } from './org';

/** Most subrequests of one Composite request, and of them the most that are sObject Collections or queries. */
export const COMPOSITE_LIMITS = { subrequests: 25, collections: 5 } as const;

interface Subrequest {
  readonly method?: unknown;
  readonly url?: unknown;
  readonly referenceId?: unknown;
  readonly body?: unknown;
}

/** One subrequest's answer, as the Composite response lists it. */
interface SubResponse {
  readonly body: unknown;
  readonly httpHeaders: Record<string, string>;
  readonly httpStatusCode: number;
  readonly referenceId: string;
}

const COLLECTIONS = /^\/services\/data\/(v\d+\.\d+)\/composite\/sobjects(?:\/([^/]+)\/([^/]+))?$/;

const halted = ({ referenceId }: SubResponse): SubResponse => ({
  body: [{ errorCode: 'PROCESSING_HALTED', message: 'The transaction was rolled back since another operation in the same transaction failed.' }],
  httpHeaders: {},
  httpStatusCode: 400,
  referenceId,
});

/** True when a subrequest failed: its status, or, for a collection, any record (`allOrNone` then applies to each collection). */
function failed(response: SubResponse): boolean {
  if (response.httpStatusCode >= 400) return true;
  return Array.isArray(response.body) && response.body.some((r) => (r as { success?: unknown }).success === false);
}

/** Reads the request body; the whole request is refused (400) when it is not one the API takes. */
function subrequestsOf(body: unknown): { allOrNone: boolean; requests: Subrequest[] } {
  const b = body as { allOrNone?: unknown; compositeRequest?: unknown } | undefined;
  if (!b || !Array.isArray(b.compositeRequest) || b.compositeRequest.length === 0) throw new SfRequestError(400, 'JSON_PARSER_ERROR', 'The request body must hold "compositeRequest".');
  const requests = b.compositeRequest as Subrequest[];
  if (requests.length > COMPOSITE_LIMITS.subrequests) throw new SfRequestError(400, 'INVALID_REQUEST', `Exceeded max limit of ${COMPOSITE_LIMITS.subrequests} subrequests`);
  const collections = requests.filter((r) => typeof r.url === 'string' && COLLECTIONS.test(r.url.split('?')[0] as string)).length;
  if (collections > COMPOSITE_LIMITS.collections) throw new SfRequestError(400, 'INVALID_REQUEST', `Exceeded max limit of ${COMPOSITE_LIMITS.collections} sObject Collections or query subrequests`);
  const ids = new Set<string>();
  for (const r of requests) {
    if (typeof r.referenceId !== 'string' || r.referenceId === '' || ids.has(r.referenceId)) throw new SfRequestError(400, 'INVALID_REQUEST', 'Each subrequest needs a unique referenceId.');
    ids.add(r.referenceId);
  }
  return { allOrNone: b.allOrNone === true, requests };
}

/**
 * The Composite resource (`POST /services/data/vXX.X/composite`), for sObject Collections
 * subrequests (create, update, upsert by external id, delete): they run in order, each as
 * its own route would, and the whole request counts as one call ("The entire series of
 * requests counts as a single call toward your API limits"): the collection routes given
 * here must not count calls themselves. The answer is HTTP 200 with one entry per subrequest
 * (`compositeResponse`: `body`, `httpHeaders`, `httpStatusCode`, `referenceId`). With
 * `allOrNone: true`, a subrequest that fails (or a record of a collection, as that flag then
 * applies to each collection) rolls every change of the request back: it keeps its own answer
 * and every other subrequest answers 400 `PROCESSING_HALTED`; with `false`, the others still run. At most 25
 * subrequests, of which 5 sObject Collections. Other resources, and references between
 * subrequests (`@{ref.id}`), are not emulated: such a subrequest answers 400.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/requests_composite.htm ,
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_allornone.htm
 */
export function compositeRoute(org: Org, guarded: (handler: (req: EmulatorRequest) => EmulatorResponse) => (req: EmulatorRequest) => EmulatorResponse, collections: readonly EmulatorRoute[]): EmulatorRoute {
  const run = (parent: EmulatorRequest, sub: Subrequest): SubResponse => {
    const referenceId = sub.referenceId as string;
    const url = typeof sub.url === 'string' ? new URL(sub.url, 'http://composite') : undefined;
    const m = url ? COLLECTIONS.exec(url.pathname) : null;
    const method = typeof sub.method === 'string' ? sub.method.toUpperCase() : '';
    const route = m ? collections.find((r) => r.method === method && (r.path.endsWith('/:field') === (m[2] !== undefined))) : undefined;
    if (!url || !m || !route) {
      return { body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource is not emulated in a Composite request (sObject Collections only).' }], httpHeaders: {}, httpStatusCode: 400, referenceId };
    }
    const params: Record<string, string> = { version: m[1] as string, ...(m[2] ? { type: decodeURIComponent(m[2]), field: decodeURIComponent(m[3] as string) } : {}) };
    const request: EmulatorRequest = { ...parent, method, path: url.pathname, url, query: url.searchParams, params, body: sub.body, rawBody: JSON.stringify(sub.body ?? null) };
    const answer = route.handler(request) as EmulatorResponse;
    return { body: answer.body ?? null, httpHeaders: {}, httpStatusCode: answer.status, referenceId };
  };
  return {
    method: 'POST',
    path: '/services/data/:version/composite',
    handler: guarded((req) => {
      const { allOrNone, requests } = subrequestsOf(req.body);
      const restore = allOrNone ? org.checkpoint() : undefined;
      const answers = requests.map((sub) => run(req, sub));
      if (restore && answers.some(failed)) {
        restore();
        // "If allOrNone is set to true in the composite request and a subrequest returns an error, all other subrequests return the 400 HTTP status code."
        const first = answers.findIndex(failed);
        return { status: 200, body: { compositeResponse: answers.map((a, i) => (i === first ? a : halted(a))) } };
      }
      return { status: 200, body: { compositeResponse: answers } };
    }),
  };
}
