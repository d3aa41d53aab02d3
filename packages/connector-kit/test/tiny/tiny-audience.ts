import { z } from 'zod';
import { EmulatorServer, type EmulatorResponse } from '../../src/emulator/index';
import { AuthError, InputError, RateLimitError, RetryableError, SyncError, defineAudienceDestination, identity, secret } from '../../src/index';

/** A tiny audience API for the kit's own tests: audiences of lowercase emails (not a real vendor). */
export const TINY_AUDIENCE_TOKEN = 'tiny-audience-token';

interface Audience {
  id: string;
  name: string;
  members: string[];
}

const err = (status: number, code: string): EmulatorResponse => ({ status, body: { error: { code } } });

export function createTinyAudienceEmulator(maxBatch: number): EmulatorServer {
  let audiences: Audience[] = [];
  let next = 1;
  const named = (name: string, create: boolean) => {
    let a = audiences.find((x) => x.name === name);
    if (!a && create) {
      a = { id: `aud${next++}`, name, members: [] };
      audiences.push(a);
    }
    return a;
  };
  return new EmulatorServer({
    name: 'tiny-audience',
    data: {
      snapshot: () => ({ audiences }),
      seed: (input) => {
        for (const [name, members] of Object.entries(input as Record<string, string[]>)) named(name, true)?.members.push(...members);
      },
      load: (d) => (audiences = (d as { audiences: Audience[] }).audiences),
      reset: () => (audiences = []),
    },
    vendor: {
      rateLimited: (s) => ({ status: 429, headers: { 'retry-after': String(s) }, body: { error: { code: 'rate_limited' } } }),
      serverError: (status) => err(status, 'server_error'),
      authExpired: () => err(401, 'unauthorized'),
      notFound: () => err(404, 'no_route'),
    },
    authenticate: (req) => (req.headers.authorization === `Bearer ${TINY_AUDIENCE_TOKEN}` ? undefined : err(401, 'unauthorized')),
    routes: [
      {
        method: 'POST',
        path: '/audiences',
        handler: (req) => {
          const { names, create } = req.body as { names: string[]; create: boolean };
          return { status: 200, body: { audiences: names.map((n) => named(n, create)).filter(Boolean) } };
        },
      },
      {
        method: 'POST',
        path: '/audiences/:id/members',
        handler: (req) => {
          const a = audiences.find((x) => x.id === req.params.id);
          if (!a) return err(404, 'no_audience');
          const members = (req.body as { members: string[] }).members;
          if (members.length > maxBatch) return err(400, 'too_many');
          for (const m of members) if (!a.members.includes(m)) a.members.push(m);
          return { status: 200, body: { received: members.length } };
        },
      },
      {
        method: 'DELETE',
        path: '/audiences/:id/members',
        handler: (req) => {
          const a = audiences.find((x) => x.id === req.params.id);
          if (!a) return err(404, 'no_audience');
          const members = (req.query.get('members') ?? '').split(',');
          a.members = a.members.filter((m) => !members.includes(m));
          return { status: 200, body: { received: members.length } };
        },
      },
    ],
  });
}

const configSchema = z.object({
  baseUrl: identity(z.string().url()),
  token: secret(z.string().min(1), 'TINY_AUDIENCE_TOKEN'),
  addBatchSize: z.number().int().positive().default(20),
});

async function call(config: z.output<typeof configSchema>, method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${config.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${config.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await response.json().catch(() => ({}))) as { error?: { code: string } };
  if (response.status === 429) throw new RateLimitError('rate limited', Number(response.headers.get('retry-after') ?? 1) * 1000);
  if (response.status === 401) throw new AuthError('token refused');
  if (response.status >= 500) throw new RetryableError('server_error', `HTTP ${response.status}`);
  if (!response.ok) throw new SyncError(json.error?.code ?? 'bad_request', `HTTP ${response.status}`);
  return json;
}

const email = (v: unknown) => (typeof v === 'string' && /^[^\s@]+@[^\s@]+$/.test(v.trim()) ? v.trim().toLowerCase() : undefined);

/** A tiny audience destination (members are lowercase emails), for the kit's own tests. */
export const tinyAudienceDestination = defineAudienceDestination({
  kind: 'audience',
  id: 'tiny-audience',
  displayName: 'Tiny Audience',
  configSchema,
  syncModes: ['sync', 'additive'],
  defaultSyncMode: 'additive',
  unsupportedModeReasons: { enrich: 'An audience cannot tell who is already in it.' },
  limits: (config) => ({ addBatchSize: config.addBatchSize, removeBatchSize: 10, concurrency: 2 }),
  matchKeyLabel: () => 'email',
  matchKey: (snapshot) => email(snapshot.properties.email),
  explainMissingKey: () => new InputError('no_valid_identifier', 'No usable identifier: give it a valid email.'),
  connect: async (config) => config,
  verbs: {
    async ensureAudiences(ctx, names, { create }) {
      const { audiences } = (await call(ctx.config, 'POST', '/audiences', { names, create })) as { audiences: { id: string; name: string }[] };
      return new Map(audiences.map((a) => [a.name, a.id]));
    },
    async addMembers(ctx, audience, members) {
      await call(ctx.config, 'POST', `/audiences/${audience.id}/members`, { members: members.map((m) => email(m.identity.email)) });
      return members.map(() => ({ ok: true }));
    },
    async removeMembers(ctx, audience, members) {
      await call(ctx.config, 'DELETE', `/audiences/${audience.id}/members?members=${members.map((m) => email(m.identity.email)).join(',')}`);
      return members.map(() => ({ ok: true }));
    },
  },
});
