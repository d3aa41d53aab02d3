import type { BenchEntry } from '../types';
import { salesforceBench } from './salesforce';

/**
 * Salesforce Contacts matched by the external-id field `Customer_Id__c` (unique in the
 * emulator's schema): creates are upserts, so a first run sends records without state in one
 * Bulk API 2.0 `upsert` job (or collections upserts) with no lookup — Salesforce decides create
 * vs update (`sf__Created`). Enrich still looks up first, so it is not measured here. The
 * bench's rows have Emails, so since stop 32 the first run looks them up first (one query job):
 * a Contact with one row's id and another row's Email must be refused, not overwritten.
 * `npm run bench -- --only salesforce-extid --sizes 100000 --no-pacing --rtt-ms 0`
 */
export const salesforceExtIdBench: BenchEntry = {
  ...salesforceBench,
  id: 'salesforce-extid',
  modes: ['additive', 'sync'],
  naiveShared: 'salesforce',
  naiveDescription: "salesforce's (the same upserts by Customer_Id__c; not measured again)",
  config: (url, shape) => ({ ...salesforceBench.config(url, shape), matchField: 'Customer_Id__c' }),
  // Creates and updates may share upserts (one call per 200); every record is looked up (the rows have Emails).
  minimum: (c) => ({
    lookups: Math.ceil(c.lookedUp / 200),
    writes: Math.ceil((c.created + c.updated) / 200) + Math.ceil(c.deleted / 200),
  }),
};
