import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { describeConformance, type ConformanceHarness, type ConformanceRecord, type DestinationView } from '@syncmodes/connector-kit/testing';
import type { salesforceDestination } from '../src/index';
import { salesforceHarness, startEmulator } from './salesforce-harness';

type Row = Record<string, unknown> & { Id: string };
const UPSERT = '/composite/sobjects/Contact/Customer_Id__c';
const FIELDS = ['Customer_Id__c', 'Email', 'FirstName', 'LastName', 'Title'];

const record = (i: number, groups: readonly string[] = []): ConformanceRecord => {
  const base = salesforceHarness.record(i, groups);
  return { id: base.id, snapshot: { ...base.snapshot, properties: { Customer_Id__c: `CUST-${i}`, ...base.snapshot.properties } } };
};

/** The emulator of the running check (the suite runs its checks one at a time). */
let current: Awaited<ReturnType<typeof startEmulator>>['emulator'] | undefined;

/**
 * An upsert is a create when it created a record (one of its external ids is held by a
 * Contact created at or after the request arrived), else an update: the suite's "no create
 * call" checks then read what Salesforce did, as `created` in the answer says.
 */
function upsertClass(e: RequestLogEntry): 'create' | 'update' {
  const keys = new Set(((e.body as { records?: Record<string, unknown>[] }).records ?? []).map((r) => String(r.Customer_Id__c ?? '').toLowerCase()));
  const created = (current?.org.all('Contact') ?? []).some((c) => keys.has(String(c.Customer_Id__c ?? '').toLowerCase()) && Date.parse(String(c.CreatedDate)) >= e.at);
  return created ? 'create' : 'update';
}

/**
 * The conformance suite with the external-id field `Customer_Id__c` (unique in the emulator's
 * Contact) as match field: creates are sObject Collections upserts by it, and records without
 * state are sent without a lookup (the destination's `createUpserts`). Every mode's promise
 * must hold on that path too. External ids compare case-insensitively; unique, so the
 * ambiguity check does not apply (test/bulk-upsert.test.ts covers DUPLICATE_EXTERNAL_ID).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_upsert.htm
 */
const externalIdHarness: ConformanceHarness<typeof salesforceDestination.configSchema> = {
  ...salesforceHarness,
  async start() {
    const env = await startEmulator();
    current = env.emulator;
    const admin = env.admin;
    const read = async (): Promise<DestinationView[]> => {
      const data = await admin.records<Record<string, Row[]>>();
      const campaigns = new Map((data.Campaign ?? []).map((c) => [c.Id, String(c.Name)]));
      return (data.Contact ?? []).map((c) => ({
        id: c.Id,
        key: String(c.Customer_Id__c ?? '').toLowerCase(),
        properties: Object.fromEntries(FIELDS.map((f) => [f, typeof c[f] === 'string' && c[f] !== '' ? (c[f] as string) : null])),
        groups: (data.CampaignMember ?? []).filter((m) => m.ContactId === c.Id).map((m) => campaigns.get(String(m.CampaignId)) ?? '?'),
      }));
    };
    const seed = async (records: readonly ConformanceRecord[]) =>
      admin.seed({ Contact: records.map((r) => ({ ...Object.fromEntries(Object.entries(r.snapshot.properties).filter(([, v]) => v !== null)), Campaigns: r.snapshot.groups })) });
    return { config: { ...env.config, matchField: 'Customer_Id__c' }, admin, seed, read, stop: () => env.emulator.stop() };
  },
  record,
  invalidRecord: (i) => ({ id: `c${i}`, snapshot: { ...record(i).snapshot, properties: { ...record(i).snapshot.properties, FirstName: 'x'.repeat(41) } } }),
  keyProperty: 'Customer_Id__c',
  changedKey: (i) => `MOVED-${i}`,
  keyVariant: (i) => `cust-${i}`,
  duplicateKeys: false,
  createUpserts: true,
  classify: (e: RequestLogEntry) => (e.method === 'PATCH' && e.path.endsWith(UPSERT) ? upsertClass(e) : salesforceHarness.classify(e)),
  writeRequest: (kind) => (kind === 'create' ? { method: 'PATCH', path: `${UPSERT}$` } : salesforceHarness.writeRequest(kind)),
};

describeConformance(externalIdHarness);
