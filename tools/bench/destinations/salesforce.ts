import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { runPool } from '../pool';
import type { BenchEntry, CallClass } from '../types';

const COLLECTION = 200;
/** The emulator's token (`EMULATOR_ACCESS_TOKEN`); modules load lazily, so a run loads only what it uses. */
const TOKEN = 'emulator-token';
const email = (i: number) => `person${i}@example.com`;

/** Salesforce Contacts matched by Email: sObject Collections, and Bulk API 2.0 jobs from 10,000 changed records. */
export const salesforceBench: BenchEntry = {
  id: 'salesforce',
  modes: ['additive', 'sync', 'enrich'],
  destination: async () => (await import('@syncmodes/salesforce')).salesforceDestination,
  async startEmulator() {
    const { createSalesforceEmulator } = await import('@syncmodes/salesforce/emulator');
    const server = createSalesforceEmulator();
    const url = await server.start();
    return {
      server,
      url,
      seed: (indices) =>
        server.seed({ Contact: indices.map((i) => ({ Email: email(i), Customer_Id__c: `p${i}`, FirstName: `First${i}`, LastName: `Last${i}`, Title: 'Stale' })) }),
      reset: () => server.reset(),
      stop: () => server.stop(),
    };
  },
  // The emulator finishes a job within milliseconds: poll every 100 ms (against a real org the default 1 s applies).
  config: (url) => ({ instanceUrl: url, accessToken: TOKEN, bulkPollIntervalMs: 100 }),
  properties: (i, version) => ({
    Email: email(i),
    Customer_Id__c: `p${i}`,
    FirstName: `First${i}`,
    LastName: `Last${i}`,
    Title: `Title ${i % 97} v${version}`,
    Phone: `+1 555 01${String(i % 10_000).padStart(4, '0')}`,
  }),
  jobCreated(e: RequestLogEntry): string | undefined {
    // POST /jobs/ingest or /jobs/query creates a job: https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/create_job.htm
    return e.method === 'POST' ? /\/jobs\/(ingest|query)\/?$/.exec(e.path)?.[1] : undefined;
  },
  classify(e: RequestLogEntry): CallClass {
    const p = e.path;
    if (p.includes('/jobs/ingest')) return 'bulk_write';
    if (p.includes('/jobs/query')) return 'bulk_lookup';
    // A Composite request (a window's last updates and first creates in one call); an upsert by the external id.
    if (/\/composite\/?$/.test(p) && e.method === 'POST') return 'composite';
    if (/\/composite\/sobjects\/[^/]+\/[^/]+$/.test(p) && e.method === 'PATCH') return 'upsert';
    if (p.includes('/composite/sobjects')) return e.method === 'POST' ? 'create' : e.method === 'PATCH' ? 'update' : e.method === 'DELETE' ? 'delete' : 'other';
    if (/\/query(\/|$)/.test(p)) return /COUNT\(\)/.test(e.query.q ?? '') ? 'bulk_lookup' : 'lookup';
    if (/\/sobjects\/[^/]+\/[^/]+\/[^/]+$/.test(p) && e.method === 'PATCH') return e.status === 201 ? 'create' : 'update';
    if (/\/sobjects\/[^/]+$/.test(p) && e.method === 'POST') return 'create';
    return 'other';
  },
  // Creates and updates may share calls of 200: one Composite request holds an sObject Collections update and
  // create and counts as one call (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_composite_post.htm).
  minimum: (c) => ({
    lookups: Math.ceil(c.lookedUp / COLLECTION),
    writes: Math.ceil((c.created + c.updated) / COLLECTION) + Math.ceil(c.deleted / COLLECTION),
  }),
  naiveDescription: 'jsforce `sobject.upsert` by the Customer_Id__c external id, one call per record',
  naiveConcurrency: 4,
  naiveModules: () => import('jsforce'),
  async naive(url, indices, version) {
    const { Connection } = await import('jsforce');
    const conn = new Connection({ instanceUrl: url, accessToken: TOKEN, version: '62.0' });
    const contacts = conn.sobject('Contact');
    return runPool(indices, this.naiveConcurrency, async (i) => {
      const result = await contacts.upsert(this.properties(i, version) as Record<string, string>, 'Customer_Id__c');
      if (!result.success) throw new Error('upsert failed');
    });
  },
};
