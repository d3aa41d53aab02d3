import { z } from 'zod';
import {
  AuthError,
  RateLimitError,
  RetryableError,
  SyncError,
  defineDestination,
  identity,
  secret,
  type ItemResult,
} from '../../src/index';
import { TINY_MAX_BATCH } from './tiny-emulator';

const configSchema = z.object({
  baseUrl: identity(z.string().url()),
  token: secret(z.string().min(1), 'TINY_TOKEN'),
});
type Config = z.output<typeof configSchema>;

async function call(config: Config, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${config.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string; message?: string } };
  if (response.status === 429) throw new RateLimitError('rate limited', Number(response.headers.get('retry-after') ?? 1) * 1000);
  if (response.status === 401) throw new AuthError('token refused');
  if (response.status >= 500) throw new RetryableError('server_error', `HTTP ${response.status}`, { status: response.status });
  if (!response.ok) throw new SyncError(json.error?.code ?? 'bad_request', json.error?.message ?? `HTTP ${response.status}`, { status: response.status });
  return json;
}

type Results = { results: ({ id: string } | { error: { code: string; message: string } })[] };
const toItems = (r: Results): ItemResult[] =>
  r.results.map((x) => ('id' in x ? { ok: true, id: x.id } : { ok: false, error: new SyncError(x.error.code, x.error.message) }));

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
  verbs: {
    async find(ctx, requests) {
      const qs = requests.map((r) => `key=${encodeURIComponent(r.matchKey)}`).join('&');
      const { records } = (await call(ctx.config, 'GET', `/records?${qs}`)) as { records: { id: string; key: string }[] };
      const out = new Map<number, { id: string }[]>();
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
      return toItems((await call(ctx.config, 'POST', '/records', { records })) as Results);
    },
    async update(ctx, items) {
      const records = items.map((i) => {
        const { email, ...fields } = i.properties;
        return { id: i.destinationId, ...(email ? { key: String(email) } : {}), fields };
      });
      return toItems((await call(ctx.config, 'PATCH', '/records', { records })) as Results);
    },
    async delete(ctx, items) {
      return toItems((await call(ctx.config, 'DELETE', `/records?ids=${items.map((i) => i.destinationId).join(',')}`)) as Results);
    },
    groups: {
      async ensure(ctx, names, { create }) {
        const { groups } = (await call(ctx.config, 'POST', '/groups', { names, create })) as { groups: { id: string; name: string }[] };
        return new Map(groups.map((g) => [g.name, g.id]));
      },
      async add(ctx, group, members) {
        return toItems((await call(ctx.config, 'POST', `/groups/${group.id}/members`, { ids: members.map((m) => m.destinationId) })) as Results);
      },
      async remove(ctx, group, members) {
        return toItems(
          (await call(ctx.config, 'DELETE', `/groups/${group.id}/members?ids=${members.map((m) => m.destinationId).join(',')}`)) as Results,
        );
      },
    },
  },
});
