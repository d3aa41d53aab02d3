import { z } from 'zod';
import {
  AuthError,
  NotFoundError,
  RateLimitError,
  RetryableError,
  SyncError,
  defineDestination,
  identity,
  parseRetryAfter,
  secret,
  type CodeInfo,
  type FoundRecord,
  type ItemResult,
  type RecordVerbs,
} from '../../src/index';
import { TINY_MAX_BATCH } from './tiny-emulator';

const configSchema = z.object({
  baseUrl: identity(z.string().url()),
  token: secret(z.string().min(1), 'TINY_TOKEN'),
});
/** The tiny destination's config. */
export type TinyConfig = z.output<typeof configSchema>;

/** What the tiny API answered: status, `Retry-After` (ms; seconds or an HTTP-date on the wire) and the JSON body. */
export interface TinyAnswer {
  readonly status: number;
  readonly retryAfterMs: number | undefined;
  readonly body: { readonly error?: { readonly code: string; readonly message?: string } } & Record<string, unknown>;
}

/** One request to the tiny API (no mapping of failures). */
export async function tinyFetch(config: TinyConfig, method: string, path: string, body?: unknown): Promise<TinyAnswer> {
  const response = await fetch(`${config.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as TinyAnswer['body'];
  return { status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')), body: json };
}

/** The kit's error for a failed answer (the ladder of `httpError`), or undefined for a success. */
export function tinyError(answer: TinyAnswer): SyncError | undefined {
  const { status, body } = answer;
  if (status === 429) return new RateLimitError('rate limited', answer.retryAfterMs);
  if (status === 401) return new AuthError('token refused');
  if (status >= 500) return new RetryableError('server_error', `HTTP ${status}`, { status });
  if (status >= 400) return new SyncError(body.error?.code ?? 'bad_request', body.error?.message ?? `HTTP ${status}`, { status });
  return undefined;
}

/** Sends one request and answers its body; a failed answer throws the kit's error. */
export type TinyCall = (config: TinyConfig, method: string, path: string, body?: unknown) => Promise<TinyAnswer['body']>;

/** The real call: {@link tinyFetch}, failures mapped by {@link tinyError}. */
export const tinyCall: TinyCall = async (config, method, path, body) => {
  const answer = await tinyFetch(config, method, path, body);
  const error = tinyError(answer);
  if (error) throw error;
  return answer.body;
};

/** Per-item results of a tiny write, in order. */
export type TinyResults = { results: ({ id: string } | { error: { code: string; message: string } })[] };

/** Per-item results as the kit's: the API's `not_found` (the addressed id does not exist) is a `NotFoundError`. */
export const toItems = (r: TinyResults): ItemResult[] =>
  r.results.map((x): ItemResult => {
    if ('id' in x) return { ok: true, id: x.id };
    if (x.error.code === 'not_found') return { ok: false, error: new NotFoundError(x.error.message) };
    return { ok: false, error: new SyncError(x.error.code, x.error.message) };
  });

/** Every record with one of `keys`, following the lookup's pages. */
export async function findAllPages(call: TinyCall, config: TinyConfig, keys: readonly string[]): Promise<{ id: string; key: string }[]> {
  const qs = keys.map((k) => `key=${encodeURIComponent(k)}`).join('&');
  const out: { id: string; key: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = (await call(config, 'GET', `/records?${qs}${cursor ? `&cursor=${cursor}` : ''}`)) as { records: { id: string; key: string }[]; next?: string };
    out.push(...page.records);
    cursor = page.next;
  } while (cursor);
  return out;
}

/** The tiny destination's verbs over a call (mutants vary the call or wrap a verb). */
export function tinyVerbs(call: TinyCall): RecordVerbs<TinyConfig, TinyConfig> {
  return {
    async find(ctx, requests) {
      const records = await findAllPages(call, ctx.config, requests.map((r) => r.matchKey));
      const out = new Map<number, FoundRecord[]>();
      for (const r of requests) {
        const hits = records.filter((x) => x.key === r.matchKey);
        if (hits.length > 0) out.set(r.ref, hits.map((x) => ({ id: x.id })));
      }
      return out;
    },
    async create(ctx, items) {
      const records = items.map((i) => {
        const { email, ...fields } = i.properties;
        return { key: String(email), fields };
      });
      return toItems((await call(ctx.config, 'POST', '/records', { records })) as TinyResults);
    },
    async update(ctx, items) {
      const records = items.map((i) => {
        const { email, ...fields } = i.properties;
        return { id: i.destinationId, ...(email ? { key: String(email) } : {}), fields };
      });
      return toItems((await call(ctx.config, 'PATCH', '/records', { records })) as TinyResults);
    },
    async delete(ctx, items) {
      return toItems((await call(ctx.config, 'DELETE', `/records?ids=${items.map((i) => i.destinationId).join(',')}`)) as TinyResults);
    },
    groups: {
      async ensure(ctx, names, { create }) {
        const { groups } = (await call(ctx.config, 'POST', '/groups', { names, create })) as { groups: { id: string; name: string }[] };
        return new Map(groups.map((g) => [g.name, g.id]));
      },
      async add(ctx, group, members) {
        return toItems((await call(ctx.config, 'POST', `/groups/${group.id}/members`, { ids: members.map((m) => m.destinationId) })) as TinyResults);
      },
      async remove(ctx, group, members) {
        return toItems((await call(ctx.config, 'DELETE', `/groups/${group.id}/members?ids=${members.map((m) => m.destinationId).join(',')}`)) as TinyResults);
      },
    },
  };
}

const code = (retryable: boolean, meaning: string, action: string): CodeInfo => ({ scope: 'record', retryable, meaning, action });

/** The codes the tiny destination reports besides the kit's. */
export const TINY_ERROR_CODES: Readonly<Record<string, CodeInfo>> = {
  too_long: code(false, 'A name is longer than 40 characters.', 'Shorten it.'),
  duplicate: code(false, 'Another record has this key (the account enforces unique keys).', 'Merge the records.'),
  bad_batch: code(false, 'The API rejected the whole request (a record named "poison").', 'Fix the record.'),
  too_many: code(false, 'More records in one call than the API allows (a connector bug).', 'Report it.'),
  no_group: code(false, 'The group does not exist (any more).', 'Run again: the group is looked up again.'),
  bad_cursor: code(false, 'A lookup page cursor the API did not give (a connector bug).', 'Report it.'),
  bad_request: code(false, 'The API refused the request.', 'Read the message.'),
  no_route: code(false, 'The API has no such endpoint (a connector bug).', 'Report it.'),
};

/** A tiny record destination over the tiny emulator, for the kit's own tests. */
export const tinyDestination = defineDestination({
  kind: 'records',
  id: 'tiny',
  displayName: 'Tiny',
  configSchema,
  syncModes: ['sync', 'additive', 'enrich'],
  defaultSyncMode: 'additive',
  limits: { writeBatchSize: TINY_MAX_BATCH, lookupBatchSize: 25, groupBatchSize: TINY_MAX_BATCH, concurrency: 4 },
  matchKeyLabel: () => 'email',
  matchKey: (snapshot) => {
    const v = snapshot.properties.email;
    return typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined;
  },
  connect: async (config) => config,
  errorCodes: TINY_ERROR_CODES,
  verbs: tinyVerbs(tinyCall),
});
