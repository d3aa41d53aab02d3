import { EmulatorClient } from '../../src/emulator/index';
import type { ConformanceHarness, ConformanceRecord, ConformanceTarget } from '../../src/testing/index';
import { tinyDestination } from './tiny-destination';
import { createTinyEmulator, TINY_MAX_BATCH, TINY_TOKEN, type TinyEmulatorOptions, type TinyRecord } from './tiny-emulator';

const record = (i: number, groups: readonly string[] = []): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `person${i}@example.com`, name: `Person ${i}`, city: `City ${i}` }, groups: [...groups] },
});

type TinyHarness = ConformanceHarness<typeof tinyDestination.configSchema>;

/** The conformance harness for a variant of the tiny destination (a mutant) over an emulator with the given rules. */
export function tinyHarnessFor(destination: TinyHarness['destination'], options: TinyEmulatorOptions = {}): TinyHarness {
  return { ...tinyHarness, destination, start: () => startTiny(options) };
}

async function startTiny(options: TinyEmulatorOptions = {}): Promise<ConformanceTarget<typeof tinyDestination.configSchema>> {
  const emulator = createTinyEmulator(options);
  const baseUrl = await emulator.start();
  const admin = new EmulatorClient(baseUrl);
  return {
    config: { baseUrl, token: TINY_TOKEN },
    admin,
    seed: async (records) => {
      await admin.seed({
        records: records.map((r) => {
          const { email, ...fields } = r.snapshot.properties;
          return { key: String(email), fields, groups: r.snapshot.groups };
        }),
      });
    },
    read: async () => {
      const data = await admin.records<{ records: TinyRecord[]; groups: { name: string; members: string[] }[] }>();
      return data.records.map((r) => ({
        id: r.id,
        key: r.key,
        properties: { city: r.fields.city ?? null, name: r.fields.name ?? null },
        groups: data.groups.filter((g) => g.members.includes(r.id)).map((g) => g.name),
      }));
    },
    stop: () => emulator.stop(),
  };
}

/** The conformance harness for the tiny destination. */
export const tinyHarness: TinyHarness = {
  destination: tinyDestination,
  start: () => startTiny(),
  record,
  withProperties: (r, properties) => ({ id: r.id, snapshot: { ...r.snapshot, properties: { ...r.snapshot.properties, ...properties } } }),
  invalidRecord: (i) => ({ id: `c${i}`, snapshot: { ...record(i).snapshot, properties: { ...record(i).snapshot.properties, name: 'x'.repeat(60) } } }),
  // Through the emulator's admin endpoint, as a person deleting them in the tiny app.
  remove: async (target, records) => {
    const response = await fetch(`${target.admin.baseUrl}/__emulator/remove`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ keys: records.map((r) => String(r.snapshot.properties.email)) }),
    });
    if (!response.ok) throw new Error(`remove: HTTP ${response.status}`);
  },
  keyProperty: 'email',
  changedKey: (i) => `moved${i}@example.com`,
  // The tiny API compares keys case-insensitively.
  keyVariant: (i) => `PERSON${i}@Example.COM`,
  clearableProperty: 'city',
  groups: true,
  classify: (e) => {
    if (e.path.startsWith('/groups/')) return 'group';
    if (e.path === '/records') return e.method === 'GET' ? 'read' : e.method === 'POST' ? 'create' : e.method === 'PATCH' ? 'update' : 'delete';
    return e.method === 'GET' ? 'read' : 'other';
  },
  recordsIn: (e) => {
    const body = e.body as { records?: unknown[] } | undefined;
    if (body?.records) return body.records.length;
    return (e.query.ids ?? '').split(',').filter(Boolean).length;
  },
  writeBatchLimit: TINY_MAX_BATCH,
  writeRequest: (kind) => ({ method: kind === 'create' ? 'POST' : 'PATCH', path: '^/records$' }),
};
