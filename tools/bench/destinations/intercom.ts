import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { runPool } from '../pool';
import type { BenchEntry, CallClass } from '../types';

/** The emulator's token (`EMULATOR_ACCESS_TOKEN`); modules load lazily, so a run loads only what it uses. */
const TOKEN = 'emulator-token';

/** Intercom contacts matched by external_id then email: one call per write, searches of 100 keys. */
export const intercomBench: BenchEntry = {
  id: 'intercom',
  modes: ['additive', 'sync', 'enrich'],
  destination: async () => (await import('@syncmodes/intercom')).intercomDestination,
  async startEmulator(shape) {
    const { createIntercomEmulator } = await import('@syncmodes/intercom/emulator');
    const server = createIntercomEmulator({ rateLimit: shape.rateLimitPerSec ? { limit: shape.rateLimitPerSec, windowMs: 1_000 } : false });
    const url = await server.start();
    return {
      server,
      url,
      seed: (indices) => server.seed({ contacts: indices.map((i) => ({ role: 'user', external_id: `p${i}`, email: `person${i}@example.com`, name: 'Stale' })) }),
      reset: () => server.reset(),
      stop: () => server.stop(),
    };
  },
  config: (url) => ({ baseUrl: url, accessToken: TOKEN }),
  properties: (i, version) => ({ external_id: `p${i}`, email: `person${i}@example.com`, name: `Person ${i} v${version}`, phone: `+1 555 01${String(i % 10_000).padStart(4, '0')}` }),
  classify(e: RequestLogEntry): CallClass {
    const p = e.path;
    if (p === '/contacts/search' || (e.method === 'GET' && /^\/contacts\/[^/]+$/.test(p))) return 'lookup';
    if (p === '/contacts' && e.method === 'POST') return 'create';
    if (/^\/contacts\/[^/]+$/.test(p) && e.method === 'PUT') return 'update';
    if (/^\/contacts\/[^/]+\/archive$/.test(p) || (/^\/contacts\/[^/]+$/.test(p) && e.method === 'DELETE')) return 'delete';
    return 'other';
  },
  minimum: (c) => ({ lookups: Math.ceil(c.lookedUp / 100), writes: c.created + c.updated + c.deleted }),
  naiveDescription: 'intercom-client `contacts.create` per record (a 409 for an existing contact is followed by `contacts.update`: Intercom has no upsert)',
  naiveConcurrency: 8,
  naiveModules: () => import('intercom-client'),
  async naive(url, indices, version) {
    const { IntercomClient, IntercomError } = await import('intercom-client');
    const client = new IntercomClient({ token: TOKEN, baseUrl: url, maxRetries: 0 });
    return runPool(indices, this.naiveConcurrency, async (i) => {
      const { external_id, email, name, phone } = this.properties(i, version) as Record<string, string>;
      try {
        await client.contacts.create({ role: 'user', external_id, email, name, phone } as never);
      } catch (error) {
        const id = error instanceof IntercomError && error.statusCode === 409 ? /id=([A-Za-z0-9]+)/.exec(JSON.stringify(error.body))?.[1] : undefined;
        if (!id) throw error;
        await client.contacts.update({ contact_id: id, email, name, phone } as never);
      }
    });
  },
  pacing: { limitPerSec: 100, records: 3_000, quickRecords: 1_000 },
};
