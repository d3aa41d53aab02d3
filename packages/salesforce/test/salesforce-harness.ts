import { EmulatorClient, type RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import type { ConformanceHarness, ConformanceRecord, DestinationView } from '@syncmodes/connector-kit/testing';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN, type SalesforceEmulatorOptions } from '../src/emulator/index';
import { salesforceDestination } from '../src/index';

type Row = Record<string, unknown> & { Id: string };

const record = (i: number, groups: readonly string[] = []): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: {
    properties: { Email: `person${i}@example.com`, FirstName: `First${i}`, LastName: `Last${i}`, Title: `Title ${i}` },
    groups: [...groups],
  },
});

/** Reads Contacts with their campaign names from the emulator's data. */
export async function readContacts(admin: EmulatorClient, object = 'Contact'): Promise<DestinationView[]> {
  const data = await admin.records<Record<string, Row[]>>();
  const campaigns = new Map((data.Campaign ?? []).map((c) => [c.Id, String(c.Name)]));
  const field = object === 'Lead' ? 'LeadId' : 'ContactId';
  return (data[object] ?? []).map((c) => ({
    id: c.Id,
    key: String(c.Email ?? '').toLowerCase(),
    properties: Object.fromEntries(
      ['Email', 'FirstName', 'LastName', 'Title', 'Phone'].map((f) => [f, typeof c[f] === 'string' && c[f] !== '' ? (c[f] as string) : null]),
    ),
    groups: (data.CampaignMember ?? []).filter((m) => m[field] === c.Id).map((m) => campaigns.get(String(m.CampaignId)) ?? '?'),
  }));
}

/** Starts a Salesforce emulator for a test. */
export async function startEmulator(options: SalesforceEmulatorOptions = {}) {
  const emulator = createSalesforceEmulator(options);
  const url = await emulator.start();
  return { emulator, url, admin: new EmulatorClient(url), config: { instanceUrl: url, accessToken: EMULATOR_ACCESS_TOKEN } };
}

const isMembership = (e: RequestLogEntry) => {
  const body = e.body as { records?: { attributes?: { type?: string } }[] } | undefined;
  const type = body?.records?.[0]?.attributes?.type;
  if (type === 'CampaignMember' || type === 'Campaign') return true;
  const ids = (e.query.ids ?? '').split(',');
  return e.method === 'DELETE' && ids.every((id) => id.startsWith('00v'));
};

/** Conformance harness for Salesforce Contacts matched by Email, campaigns as groups. */
export const salesforceHarness: ConformanceHarness<typeof salesforceDestination.configSchema> = {
  destination: salesforceDestination,
  async start() {
    const { emulator, admin, config } = await startEmulator();
    return {
      config,
      admin,
      seed: async (records) =>
        admin.seed({
          Contact: records.map((r) => ({
            ...Object.fromEntries(Object.entries(r.snapshot.properties).filter(([, v]) => v !== null)),
            Campaigns: r.snapshot.groups,
          })),
        }),
      read: () => readContacts(admin),
      stop: () => emulator.stop(),
    };
  },
  record,
  withProperties: (r, properties) => ({ id: r.id, snapshot: { ...r.snapshot, properties: { ...r.snapshot.properties, ...properties } } }),
  invalidRecord: (i) => ({ id: `c${i}`, snapshot: { ...record(i).snapshot, properties: { ...record(i).snapshot.properties, FirstName: 'x'.repeat(41) } } }),
  keyProperty: 'Email',
  changedKey: (i) => `moved${i}@example.com`,
  // SOQL compares text case-insensitively:
  // https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
  keyVariant: (i) => `PERSON${i}@Example.COM`,
  clearableProperty: 'Title',
  groups: true,
  classify: (e) => {
    if (!e.path.includes('/composite/sobjects')) return e.method === 'GET' ? 'read' : 'other';
    if (isMembership(e)) return 'group';
    return e.method === 'POST' ? 'create' : e.method === 'PATCH' ? 'update' : e.method === 'DELETE' ? 'delete' : 'other';
  },
  recordsIn: (e) => {
    const body = e.body as { records?: unknown[] } | undefined;
    return body?.records ? body.records.length : (e.query.ids ?? '').split(',').filter(Boolean).length;
  },
  writeBatchLimit: 200,
  writeRequest: (kind) => ({ method: kind === 'create' ? 'POST' : 'PATCH', path: '/composite/sobjects$' }),
};

/**
 * Salesforce's destination, running `then` once after the first lookup that `when` accepts has
 * answered (before anything is written): what changes in the org between a run's lookup and its writes.
 */
export function afterLookup(then: () => void, when: (found: Map<number, readonly { id: string }[]>) => boolean = () => true): typeof salesforceDestination {
  let done = false;
  return {
    ...salesforceDestination,
    verbs: {
      ...salesforceDestination.verbs,
      async find(ctx, requests) {
        const found = await salesforceDestination.verbs.find(ctx, requests);
        if (!done && when(found)) {
          done = true;
          then();
        }
        return found;
      },
    },
  };
}
