import { MemoryStateStore, parseConfig, runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

// The instance URL names the sync (its state, what it owns). Spelled with a trailing slash or capitals in the host, as a URL
// copied from the browser is, it started a new sync that owned nothing: sync mode no longer deleted the Contacts the first
// spelling had created (fourth trial of stop 27 only said so, sync_identity_changed). It is now read in one spelling.
const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20, retries: 1 };
const person = (id: string): ConformanceRecord => ({ id, snapshot: { properties: { Email: `${id}@example.com`, LastName: id.toUpperCase() }, groups: [] } });

describe('Salesforce: an instance URL spelled another way is the same sync', () => {
  const t = perTestEmulator(startEmulator);

  it('a trailing slash, capitals in the host, the default port: one spelling', () => {
    const spell = (instanceUrl: string) => parseConfig(salesforceDestination, { instanceUrl, accessToken: 'x' }).instanceUrl;
    expect(spell('https://ACME.my.salesforce.com/')).toBe('https://acme.my.salesforce.com');
    expect(spell('https://acme.my.salesforce.com:443')).toBe('https://acme.my.salesforce.com');
    expect(spell('https://proxy.example.com/salesforce/')).toBe('https://proxy.example.com/salesforce');
    expect(spell('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
  });

  it('sync mode: runs with the URL spelled three ways share one state; a row that left is deleted, nothing is said about a new sync', async () => {
    const state = new MemoryStateStore();
    const url = new URL(t.env.config.instanceUrl);
    const run = (instanceUrl: string, ids: string[]) =>
      runSync({ collectResults: true, destination: salesforceDestination, config: { ...t.env.config, instanceUrl }, mode: 'sync', source: memorySource(ids.map(person)), state, retry: FAST, syncName: 'people', guard: { maxDeletes: 10 } });
    const first = await run(`${url.origin}/`, ['ann', 'bob', 'cy']);
    expect(first.counts.created).toBe(3);
    const again = await run(`${url.origin.replace('http://', 'HTTP://')}//`, ['ann', 'bob', 'cy']);
    expect([again.syncId, again.counts.unchanged, again.notices]).toEqual([first.syncId, 3, []]);
    const left = await run(url.origin, ['ann', 'bob']);
    expect([left.syncId, left.counts.deleted, left.notices]).toEqual([first.syncId, 1, []]);
    expect(t.env.emulator.org.all('Contact').map((c) => c.Email).sort()).toEqual(['ann@example.com', 'bob@example.com']);
    expect((await state.listSyncs()).map((s) => s.identity.instanceUrl)).toEqual([url.origin]);
  });
});
