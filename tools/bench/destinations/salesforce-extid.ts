import type { BenchEntry } from '../types';
import { salesforceBench } from './salesforce';

/**
 * Salesforce Contacts matched by the external-id field `Customer_Id__c` (unique in the
 * emulator's schema): creates are upserts, so a first run sends records without state in one
 * Bulk API 2.0 `upsert` job (or collections upserts) with no lookup — Salesforce decides create
 * vs update (`sf__Created`). Enrich still looks up first, so it is not measured here.
 * `npm run bench -- --only salesforce-extid --sizes 100000 --no-pacing --rtt-ms 0`
 */
export const salesforceExtIdBench: BenchEntry = {
  ...salesforceBench,
  id: 'salesforce-extid',
  modes: ['additive', 'sync'],
  naiveShared: 'salesforce',
  naiveDescription: "salesforce's (the same upserts by Customer_Id__c; not measured again)",
  config: (url, shape) => ({ ...salesforceBench.config(url, shape), matchField: 'Customer_Id__c' }),
  // A first run looks nothing up (the upserts are its only writes); records leaving the source are still looked up.
  minimum: (c) => ({
    lookups: Math.ceil(Math.max(0, c.lookedUp - c.created - c.updated) / 200),
    writes: Math.ceil((c.created + c.updated) / 200) + Math.ceil(c.deleted / 200),
  }),
};
