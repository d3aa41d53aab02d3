import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const people = (n: number): ConformanceRecord[] =>
  Array.from({ length: n }, (_, i) => ({ id: `c${i}`, snapshot: { properties: { Email: `person${i}@example.com`, LastName: `Last${i}` }, groups: [] } }));

/**
 * A create answered 200 with an HTML page (a proxy, a login page: the `foreign_body` fault —
 * the emulator handled the request, then answered with the page). Second trial of stop 31:
 * the kit split the batch and sent it again, 20 people became 108 Contacts that the sync
 * owned none of.
 */
describe('Salesforce: a create answered with a page instead of its save results', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    env = await startEmulator();
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });
  const run = () => runSync({ collectResults: true, destination: salesforceDestination, config: env.config, mode: 'sync', source: memorySource(people(20)), state, retry: FAST });

  it('is never split and sent again: the records are looked up, found, and owned; one Contact per person; the rerun sends nothing', async () => {
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'POST', path: 'composite/sobjects', times: 1 }]);
    const first = await run();
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    const contacts = env.emulator.org.all('Contact');
    expect(contacts).toHaveLength(20);
    expect(env.emulator.requests.filter((e) => e.method === 'POST' && e.path.includes('composite/sobjects'))).toHaveLength(1);
    expect(first.counts).toMatchObject({ created: 20, failed: 0 });
    const ids = new Map(contacts.map((c) => [String(c.Email), String(c.Id)]));
    for (const r of first.results) expect(r.destinationId).toBe(ids.get(`person${r.id.slice(1)}@example.com`));
    env.emulator.clearRequests();
    const rerun = await run();
    expect(rerun.counts).toMatchObject({ unchanged: 20 });
    expect(env.emulator.requests).toHaveLength(0);
  });

  it('an update answered so fails unexpected_response and changes nothing twice', async () => {
    await run();
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'PATCH', path: 'composite/sobjects', times: 5 }]);
    const changed = people(20).map((p) => ({ ...p, snapshot: { ...p.snapshot, properties: { ...p.snapshot.properties, LastName: `New${p.id}` } } }));
    const next = await runSync({ collectResults: true, destination: salesforceDestination, config: env.config, mode: 'sync', source: memorySource(changed), state, retry: FAST });
    expect(next.results.filter((r) => r.outcome === 'failed').every((r) => r.code === 'unexpected_response')).toBe(true);
    expect(env.emulator.org.all('Contact')).toHaveLength(20);
  });

  it('a describe answered with JSON of another shape is retried, then stops the run destination_unreachable naming the unexpected_response of the describe, never a TypeError; nothing written (second trial of stop 31, B-8)', async () => {
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/describe$', body: { sobjects: [] } }]);
    const first = await run();
    expect(first.status).not.toBe('completed');
    expect(first.reason).toMatchObject({ code: 'destination_unreachable' });
    expect(first.reason?.message).toMatch(/Last error \(unexpected_response\): Salesforce answered the describe of Contact with an object of another shape/);
    expect(JSON.stringify(first)).not.toMatch(/TypeError|Cannot read/);
    expect(env.emulator.org.all('Contact')).toHaveLength(0);
  });

  for (const [name, body] of [
    ['an object of another shape', { hello: 'world' }],
    ['a list', []],
    ['records without their Id', { totalSize: 1, done: true, records: [{ foo: 1 }] }],
  ] as const) {
    it(`a lookup query answered with ${name} fails unexpected_response and is sent again, never read as no match nor a raw TypeError: one Contact per person (re-check of stop 32: 20 became 40)`, async () => {
      env.emulator.seed({ Contact: people(20).map((p) => ({ ...p.snapshot.properties, LastName: 'Old' })) });
      env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/query$', times: 2, body }]);
      const first = await run();
      expect(env.emulator.faults.injected.foreign_body).toBe(2);
      expect(first.counts).toMatchObject({ updated: 20, created: 0, failed: 0 });
      expect(env.emulator.org.all('Contact')).toHaveLength(20);
    });
  }

  it('a lookup query answered with JSON of another shape is sent again, never read as "no match": one Contact per person, none twice', async () => {
    env.emulator.seed({ Contact: people(20).map((p) => ({ ...p.snapshot.properties, LastName: 'Old' })) });
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/query$', times: 1, body: { totalSize: 0, done: true, records: 'none' } }]);
    const first = await run();
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    expect(first.counts).toMatchObject({ updated: 20, created: 0, failed: 0 });
    expect(env.emulator.org.all('Contact')).toHaveLength(20);
  });

  it('a Bulk API job answered with JSON of another shape is never polled as /jobs/ingest/undefined: retried, every record created once', async () => {
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'POST', path: '/jobs/ingest$', times: 1, body: { ok: true } }]);
    const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: { ...env.config, bulkThreshold: 240, bulkPollIntervalMs: 5 }, mode: 'sync', source: memorySource(people(250)), state, retry: FAST });
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    expect(env.emulator.requests.some((e) => e.path.includes('undefined'))).toBe(false);
    expect(summary.counts).toMatchObject({ created: 250, failed: 0 });
    expect(env.emulator.org.all('Contact')).toHaveLength(250);
  });

  it('an answer past SYNCMODES_MAX_ANSWER_BYTES is not read to its end: the call fails unexpected_response, retried, then the run stops with a summary (second trial of stop 32: a gzip bomb aborted Node)', async () => {
    process.env.SYNCMODES_MAX_ANSWER_BYTES = '100000';
    try {
      env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/describe$', body: { name: 'Contact', fields: [], padding: 'x'.repeat(300_000) } }]);
      const first = await run();
      expect(first.status).toBe('stopped');
      expect(first.reason).toMatchObject({ code: 'destination_unreachable' });
      expect(first.reason?.message).toMatch(/Salesforce sent an answer larger than 100,000 bytes \(decompressed\)/);
      expect(env.emulator.org.all('Contact')).toHaveLength(0);
    } finally {
      delete process.env.SYNCMODES_MAX_ANSWER_BYTES;
    }
  });
});
