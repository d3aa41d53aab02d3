import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

// A GET query's URI must stay under 16,384 characters (the emulator answers 414 past it, as Salesforce does):
// https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };

describe('Salesforce: lookups of many short keys in an object much larger than the run (SOQL IN path)', () => {
  const t = perTestEmulator(startEmulator);

  it('3,000 new rows with keys like P123, 31,000 Contacts: every query under the URI limit, every row created', async () => {
    t.env.emulator.seed({ Contact: Array.from({ length: 31_000 }, (_, k) => ({ Customer_Id__c: `S${k}`, LastName: `S${k}` })) });
    const rows: ConformanceRecord[] = Array.from({ length: 3_000 }, (_, k) => ({ id: `r${k}`, snapshot: { properties: { Customer_Id__c: `P${k}`, Email: `p${k}@x.io`, LastName: `P${k}` }, groups: [] } }));
    const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, matchField: 'Customer_Id__c', bulkThreshold: 240, bulkPollIntervalMs: 5 }, mode: 'additive', source: memorySource(rows), state: t.state, retry: FAST });
    expect(summary.counts).toMatchObject({ created: 3_000, failed: 0 });
    const queries = t.env.emulator.requests.filter((e) => e.path.endsWith('/query') && !/COUNT\(\)/.test(e.query.q ?? ''));
    expect(queries.length).toBeGreaterThan(1);
    expect(queries.every((e) => e.status === 200)).toBe(true);
  }, 120_000);
});
