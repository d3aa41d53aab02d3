import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { runPool } from '../pool';
import type { BenchEntry, CallClass } from '../types';

/** The emulator's key and default app (`EMULATOR_REST_API_KEY`, `EMULATOR_APP_ID`); modules load lazily, so a run loads only what it uses. */
const API_KEY = 'emulator-rest-api-key';
const APP_ID = '00000000-0000-4000-8000-00000000a991';
/** App-wide limit for throughput runs: high enough that the kit, not the limit, is measured. */
const UNLIMITED = 1_000_000;
/** The external_id `connect` reads to prove the key and app (`CONNECTION_CHECK_EXTERNAL_ID` of `@syncmodes/onesignal`; kept here as text because modules load lazily). */
const CONNECTION_CHECK_EXTERNAL_ID = 'syncmodes-connection-check';

/**
 * OneSignal users (enrich only) matched by external_id: one documented view-user GET per
 * changed record (OneSignal documents no answer of PATCH for a missing user), then one PATCH
 * per user found. OneSignal allows 1 read/s per app; throughput runs lift that limit on both
 * sides, so the kit, not the read limit, is measured (the read limit alone makes a first run
 * over N new users take N seconds).
 */
export const onesignalBench: BenchEntry = {
  id: 'onesignal',
  modes: ['enrich'],
  destination: async () => (await import('@syncmodes/onesignal')).onesignalDestination,
  async startEmulator(shape) {
    const { createOneSignalEmulator } = await import('@syncmodes/onesignal/emulator');
    const server = createOneSignalEmulator({ appWrites: shape.rateLimitPerSec ?? UNLIMITED, windowMs: 1_000, userIntervalMs: 1_000, appViews: UNLIMITED, viewBurst: UNLIMITED });
    const url = await server.start();
    return {
      server,
      url,
      seed: (indices) => server.seed({ users: indices.map((i) => ({ identity: { external_id: `p${i}` }, properties: { tags: { plan: 'stale' } } })) }),
      reset: () => server.reset(),
      stop: () => server.stop(),
    };
  },
  config: (url, shape) => ({ appId: APP_ID, restApiKey: API_KEY, baseUrl: url, appRateLimit: shape.rateLimitPerSec ?? UNLIMITED, viewRateLimit: UNLIMITED }),
  properties: (i, version) => ({ external_id: `p${i}`, first_name: `First${i}`, plan: `plan-${i % 7}-v${version}`, score: String((i * 7) % 1000) }),
  classify(e: RequestLogEntry): CallClass {
    // `connect` reads this external_id once a run to prove the key and the app id: setup.
    if (e.method === 'GET' && e.path.endsWith(`/users/by/external_id/${CONNECTION_CHECK_EXTERNAL_ID}`)) return 'other';
    if (!/\/users\/by\//.test(e.path)) return e.method === 'POST' ? 'create' : 'other';
    if (e.method === 'PATCH') return 'update';
    return e.method === 'GET' ? 'lookup' : e.method === 'DELETE' ? 'delete' : 'other';
  },
  // No batch lookup: one view-user read per changed record, one update per user found.
  minimum: (c) => ({ lookups: c.lookedUp, writes: c.updated }),
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
  // The enforced limit is the app's update limit (views are not limited here): writes are what it counts.
  pacing: { limitPerSec: 100, records: 3_000, quickRecords: 1_000, limitOn: 'writes' },
};
