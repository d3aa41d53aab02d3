import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

// In a Bulk API 2.0 job's CSV, "#N/A" sets a field to null ("To set a field value to null, use #N/A"):
// https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm
// A record holding that text is written by sObject Collections instead, as a run below the Bulk threshold writes it.

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const N = 250;
const person = (i: number, extra: Record<string, string> = {}): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { Customer_Id__c: `P${i}`, Email: `person${i}@example.com`, LastName: `Last${i}`, Title: `Title ${i}`, ...extra }, groups: [] },
});
const collectionWrites = (log: readonly RequestLogEntry[]) => log.filter((e) => e.path.includes('/composite/sobjects') && e.method !== 'GET').map((e) => (e.body as { records: unknown[] }).records.length);
const ingestJobs = (log: readonly RequestLogEntry[]) => log.filter((e) => e.path.endsWith('/jobs/ingest') && e.method === 'POST').map((e) => (e.body as { operation: string }).operation);

describe('Salesforce: the text "#N/A" in a Bulk API run is written as text, not as null', () => {
  const t = perTestEmulator(startEmulator);
  const run = (records: ConformanceRecord[], extra: Record<string, unknown> = {}) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, bulkThreshold: 240, bulkPollIntervalMs: 5, ...extra }, mode: 'additive', source: memorySource(records), state: t.state, retry: FAST });
  const contacts = () => t.env.emulator.org.all('Contact');

  for (const [path, extra] of [
    ['insert, matched by Email', {}],
    ['upsert, matched by a unique external id', { matchField: 'Customer_Id__c' }],
  ] as const) {
    it(`creates (${path}): the records holding "#N/A" go by collections, the rest in one job; the text is kept, the key too`, async () => {
      const rows = Array.from({ length: N }, (_, i) => person(i, i === 3 ? { Title: '#N/A' } : i === 4 ? { Customer_Id__c: '#N/A' } : {}));
      const summary = await run(rows, extra);
      expect(summary.counts).toMatchObject({ created: N, failed: 0 });
      expect(contacts().find((c) => c.Email === 'person3@example.com')).toMatchObject({ Title: '#N/A', Customer_Id__c: 'P3' });
      expect(contacts().find((c) => c.Email === 'person4@example.com')).toMatchObject({ Customer_Id__c: '#N/A', Title: 'Title 4' });
      expect(contacts()).toHaveLength(N);
      expect(collectionWrites(t.env.emulator.requests)).toEqual([2]);
      expect(ingestJobs(t.env.emulator.requests)).toEqual(['matchField' in extra ? 'upsert' : 'insert']);
      // The next run, without state, finds every record by its key: nothing created twice.
      t.state.close();
      t.state = new SqliteStateStore(':memory:');
      const again = await run(rows, extra);
      expect(again.counts).toMatchObject({ created: 0, failed: 0 });
      expect(contacts()).toHaveLength(N);
    });
  }

  for (const kind of ['server_error', 'lost_response', 'reset'] as const) {
    it(`a ${kind} creating the job after the collections call: the records it answered stay created and owned (deleted when they leave); the rest is created by the job sent again (upsert)`, async () => {
      t.env.emulator.setFaults([{ kind, method: 'POST', path: 'jobs/ingest$', times: 1 }]);
      const rows = Array.from({ length: N }, (_, i) => person(i, i < 3 ? { Title: '#N/A' } : {}));
      const first = await runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, matchField: 'Customer_Id__c', bulkThreshold: 240, bulkPollIntervalMs: 5 }, mode: 'sync', source: memorySource(rows), state: t.state, retry: FAST });
      expect(first.counts).toMatchObject({ created: N, failed: 0 });
      expect(contacts()).toHaveLength(N);
      t.env.emulator.setFaults([]);
      const next = await runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, matchField: 'Customer_Id__c', bulkThreshold: 240, bulkPollIntervalMs: 5 }, mode: 'sync', source: memorySource(rows.slice(3)), state: t.state, retry: FAST });
      expect(next.results.filter((r) => ['c0', 'c1', 'c2'].includes(r.id)).map((r) => [r.id, r.outcome])).toEqual([
        ['c0', 'deleted'],
        ['c1', 'deleted'],
        ['c2', 'deleted'],
      ]);
      expect(contacts()).toHaveLength(N - 3);
    });
  }

  it('an answer lost on the second collections call (more than 200 records holding "#N/A"): the first call\'s records stay created; the second\'s are not sent again in the run (they may be written) and the next run finds them: no duplicate', async () => {
    t.env.emulator.setFaults([{ kind: 'lost_response', method: 'POST', path: 'composite/sobjects$', after: 1, times: 1 }]);
    const rows = Array.from({ length: N }, (_, i) => person(i, { Title: '#N/A' }));
    const first = await run(rows);
    expect(first.counts).toMatchObject({ created: 200, failed: N - 200 });
    expect(first.results.filter((r) => r.outcome === 'failed').every((r) => r.retryable === true)).toBe(true);
    expect(contacts()).toHaveLength(N);
    t.env.emulator.setFaults([]);
    const next = await run(rows);
    expect(next.counts).toMatchObject({ failed: 0, created: 0 });
    expect(contacts()).toHaveLength(N);
    expect(contacts().every((c) => c.Title === '#N/A')).toBe(true);
  });

  it('updates: a record whose title becomes "#N/A" holds that text; the others are updated by one job', async () => {
    const rows = (title: (i: number) => string) => Array.from({ length: N }, (_, i) => person(i, { Title: title(i) }));
    await run(rows((i) => `Title ${i}`));
    t.env.emulator.clearRequests();
    const summary = await run(rows((i) => (i === 7 ? '#N/A' : `New ${i}`)));
    expect(summary.counts).toMatchObject({ updated: N, failed: 0 });
    expect(contacts().find((c) => c.Email === 'person7@example.com')?.Title).toBe('#N/A');
    expect(contacts().find((c) => c.Email === 'person8@example.com')?.Title).toBe('New 8');
    expect(collectionWrites(t.env.emulator.requests)).toEqual([1]);
    expect(ingestJobs(t.env.emulator.requests)).toEqual(['update']);
  });
});
