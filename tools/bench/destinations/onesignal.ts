import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { runPool } from '../pool';
import type { BenchEntry, CallClass } from '../types';

/** The emulator's key and default app (`EMULATOR_REST_API_KEY`, `EMULATOR_APP_ID`); modules load lazily, so a run loads only what it uses. */
const API_KEY = 'emulator-rest-api-key';
const APP_ID = '00000000-0000-4000-8000-00000000a991';
/** App-wide limit for throughput runs: high enough that the kit, not the limit, is measured. */
const UNLIMITED = 1_000_000;

/** OneSignal users (enrich only) matched by external_id: one PATCH per changed user; the PATCH is the lookup. */
export const onesignalBench: BenchEntry = {
  id: 'onesignal',
  modes: ['enrich'],
  destination: async () => (await import('@syncmodes/onesignal')).onesignalDestination,
  async startEmulator(shape) {
    const { createOneSignalEmulator } = await import('@syncmodes/onesignal/emulator');
    const server = createOneSignalEmulator({ appWrites: shape.rateLimitPerSec ?? UNLIMITED, windowMs: 1_000, userIntervalMs: 1_000, appViews: UNLIMITED });
    const url = await server.start();
    return {
      server,
      url,
      seed: (indices) => server.seed({ users: indices.map((i) => ({ identity: { external_id: `p${i}` }, properties: { tags: { plan: 'stale' } } })) }),
      reset: () => server.reset(),
      stop: () => server.stop(),
    };
  },
  config: (url, shape) => ({ appId: APP_ID, restApiKey: API_KEY, baseUrl: url, appRateLimit: shape.rateLimitPerSec ?? UNLIMITED }),
  properties: (i, version) => ({ external_id: `p${i}`, first_name: `First${i}`, plan: `plan-${i % 7}-v${version}`, score: String((i * 7) % 1000) }),
  classify(e: RequestLogEntry): CallClass {
    if (!/\/users\/by\//.test(e.path)) return e.method === 'POST' ? 'create' : 'other';
    // A PATCH answered 404 was the lookup of a missing user (there is no batch lookup).
    if (e.method === 'PATCH') return e.status === 404 ? 'lookup' : 'update';
    return e.method === 'GET' ? 'lookup' : e.method === 'DELETE' ? 'delete' : 'other';
  },
  // No lookup endpoint worth calling: every changed record costs exactly one PATCH (404 when the user is missing).
  minimum: (c) => ({ lookups: 0, writes: c.lookedUp }),
  naiveDescription: '@onesignal/node-onesignal `updateUser` per record with all its tags',
  naiveConcurrency: 50,
  naiveModules: () => import('@onesignal/node-onesignal'),
  async naive(url, indices, version) {
    const { createConfiguration, DefaultApi, ServerConfiguration } = await import('@onesignal/node-onesignal');
    const api = new DefaultApi(createConfiguration({ restApiKey: API_KEY, baseServer: new ServerConfiguration<Record<string, string>>(url, {}) }));
    return runPool(indices, this.naiveConcurrency, async (i) => {
      const { external_id, ...tags } = this.properties(i, version) as Record<string, string>;
      await api.updateUser(APP_ID, 'external_id', external_id as string, { properties: { tags } });
    });
  },
  pacing: { limitPerSec: 100, records: 3_000, quickRecords: 1_000 },
};
