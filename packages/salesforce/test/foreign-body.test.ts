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
});
