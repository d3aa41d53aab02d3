import { EmulatorClient, type RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import type { ConformanceHarness, ConformanceRecord, DestinationView } from '@syncmodes/connector-kit/testing';
import {
  createOneSignalEmulator,
  EMULATOR_APP_ID,
  EMULATOR_REST_API_KEY,
  type OneSignalData,
  type OneSignalEmulatorOptions,
  type OneSignalUser,
} from '../src/emulator/index';
import { CONNECTION_CHECK_EXTERNAL_ID, groupTag, onesignalDestination } from '../src/index';

/** Requests for one user must be this far apart, in the emulator and the connector (ms; scaled down from 1,000). */
export const TEST_USER_INTERVAL_MS = 20;
/** User reads allowed per second, in the emulator and the connector (scaled up from OneSignal's 1, so tests of many users stay short). */
export const TEST_VIEW_RATE = 1_000;

const USER_WRITE = /^\/apps\/[^/]+\/users\/by\/[^/]+\/[^/]+$/;

/** Whether a request is `connect`'s read proving the key and the app id (one per run). */
export const isConnectionCheck = (e: RequestLogEntry): boolean => e.method === 'GET' && e.path.endsWith(`/users/by/external_id/${CONNECTION_CHECK_EXTERNAL_ID}`);

const record = (i: number, groups: readonly string[] = []): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: {
    properties: { external_id: `user-${i}`, first_name: `First${i}`, job_title: `Title ${i}`, birthday: '1990-05-17' },
    groups: [...groups],
  },
});

/** A user in the API's own shape, for a seed: properties become tags, groups `in_<group>` tags. */
export function seedUser(r: ConformanceRecord, prefix = 'in_'): { identity: { external_id: string }; properties: { tags: Record<string, string> } } {
  const { external_id: externalId, ...rest } = r.snapshot.properties;
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(rest)) if (v !== null && v !== '') tags[k] = String(v);
  for (const g of r.snapshot.groups) tags[groupTag(g, prefix)] = '1';
  return { identity: { external_id: String(externalId) }, properties: { tags } };
}

/** Every user of the emulator's default app. */
export async function readUsers(admin: EmulatorClient, appId = EMULATOR_APP_ID): Promise<OneSignalUser[]> {
  return (await admin.records<OneSignalData>()).apps[appId]?.users ?? [];
}

/** Records a write to the user by the app's own SDK (`POST /__emulator/touch-user`): its per-user second is used up. */
export async function touchUser(baseUrl: string, externalId: string): Promise<void> {
  const response = await fetch(`${baseUrl}/__emulator/touch-user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ external_id: externalId }),
  });
  if (response.status !== 204) throw new Error(`touch-user: HTTP ${response.status}`);
}

/** Starts a OneSignal emulator for a test, with the config pointing the destination at it. */
export async function startEmulator(options: OneSignalEmulatorOptions = {}) {
  const emulator = createOneSignalEmulator({ userIntervalMs: TEST_USER_INTERVAL_MS, appViews: TEST_VIEW_RATE, viewBurst: TEST_VIEW_RATE, ...options });
  const url = await emulator.start();
  return {
    emulator,
    url,
    admin: new EmulatorClient(url),
    config: {
      baseUrl: url,
      appId: EMULATOR_APP_ID,
      restApiKey: EMULATOR_REST_API_KEY,
      userIntervalMs: TEST_USER_INTERVAL_MS,
      viewRateLimit: options.appViews ?? TEST_VIEW_RATE,
      dateTags: ['birthday'],
    },
  };
}

/**
 * Conformance harness: users matched by `external_id` (looked up with `GET`, the documented
 * view-user call), properties as tags, groups as `in_<group>` tags. The match key cannot change
 * (`matchKeyChangeable: false`): an update cannot move a user's external_id.
 */
export const onesignalHarness: ConformanceHarness<typeof onesignalDestination.configSchema> = {
  destination: onesignalDestination,
  async start() {
    const { emulator, admin, config } = await startEmulator();
    return {
      config,
      admin,
      seed: async (records) => admin.seed({ users: records.map((r) => seedUser(r)) }),
      read: async (): Promise<DestinationView[]> =>
        (await readUsers(admin)).map((u) => ({
          key: u.identity.external_id ?? '',
          properties: Object.fromEntries(['first_name', 'job_title'].map((k) => [k, u.properties.tags[k] ?? null])),
          groups: Object.keys(u.properties.tags)
            .filter((k) => k.startsWith('in_'))
            .map((k) => k.slice(3)),
        })),
      stop: () => emulator.stop(),
    };
  },
  record,
  withProperties: (r, properties) => ({ id: r.id, snapshot: { ...r.snapshot, properties: { ...r.snapshot.properties, ...properties } } }),
  invalidRecord: (i) => ({ id: `c${i}`, snapshot: { ...record(i).snapshot, properties: { ...record(i).snapshot.properties, birthday: 'someday' } } }),
  matchKeyChangeable: false,
  // An external_id alias names one user of the app: two users cannot share it.
  // https://documentation.onesignal.com/docs/aliases
  duplicateKeys: false,
  // Deleted through the API, as the app's own backend would:
  // https://documentation.onesignal.com/reference/delete-user
  remove: async (target, records) => {
    for (const r of records) {
      const url = `${target.config.baseUrl}/apps/${target.config.appId}/users/by/external_id/${encodeURIComponent(String(r.snapshot.properties.external_id))}`;
      const response = await fetch(url, { method: 'DELETE', headers: { authorization: `Key ${EMULATOR_REST_API_KEY}` } });
      if (!response.ok) throw new Error(`remove: HTTP ${response.status}`);
    }
  },
  keyProperty: 'external_id',
  changedKey: (i) => `moved-${i}`,
  clearableProperty: 'job_title',
  groups: true,
  classify: (e: RequestLogEntry) => {
    // `connect`'s one read proving the key and app id: setup, not a lookup of a record.
    if (isConnectionCheck(e)) return 'other';
    if (e.method === 'POST' && /^\/apps\/[^/]+\/users$/.test(e.path)) return 'create';
    if (!USER_WRITE.test(e.path)) return e.method === 'GET' ? 'read' : 'other';
    if (e.method === 'GET') return 'read';
    if (e.method === 'PATCH') return 'update';
    return e.method === 'DELETE' ? 'delete' : 'other';
  },
  recordsIn: (e) => (USER_WRITE.test(e.path) || e.method === 'POST' ? 1 : 0),
  writeBatchLimit: 1,
  writeRequest: (kind) => (kind === 'create' ? { method: 'POST', path: '^/apps/[^/]+/users$' } : { method: 'PATCH', path: '^/apps/[^/]+/users/by/external_id/' }),
};
