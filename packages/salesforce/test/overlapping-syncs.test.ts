import { runSync, SqliteStateStore } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const people = (n: number): ConformanceRecord[] => Array.from({ length: n }, (_, i) => ({ id: `c${i}`, snapshot: { properties: { Email: `p${i}@example.com`, LastName: `P${i}` }, groups: [] } }));

// Fresh helper 107, M1 (pg-boss #490, #613): two stored syncs with one config ("hourly" and "nightly"), or a sync under
// two names, ran at once: each looked every new person up, found none, and created them — 20,000 Contacts for 10,000
// people. A run holds the lease of the records it writes (the destination and its identity settings): a run of another
// sync into them is refused sync_overlap (retryable) and sends nothing; once the first ends, it runs and creates no one twice.
describe('Salesforce: two syncs into the same records at once', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let dir: string;
  beforeEach(async () => {
    env = await startEmulator();
    dir = mkdtempSync(join(tmpdir(), 'overlap-'));
  });
  /** Resolves once the emulator has seen a request (the run calling it holds its leases: they are taken before any call). */
  const calledOnce = async () => {
    while (env.emulator.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  };
  afterEach(async () => {
    await env.emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the second is refused sync_overlap while the first runs (another process on the same state file), then runs and finds everyone', async () => {
    const a = new SqliteStateStore(join(dir, 'state.db'));
    const b = new SqliteStateStore(join(dir, 'state.db'));
    try {
      env.emulator.setFaults([{ kind: 'latency', latencyMs: 300, path: '/composite/sobjects' }]);
      const run = (state: SqliteStateStore, syncName: string) => runSync({ collectResults: true, destination: salesforceDestination, config: env.config, mode: 'additive', source: memorySource(people(400)), state, retry: FAST, syncName });
      const hourly = run(a, 'hourly');
      await calledOnce();
      const nightly = await run(b, 'nightly');
      expect(nightly.status).toBe('refused');
      expect(nightly.reason).toMatchObject({ code: 'sync_overlap', retryable: true });
      expect(nightly.reason?.message).toContain('Another sync into the same Salesforce records');
      expect((await hourly).counts).toMatchObject({ created: 400, failed: 0 });

      env.emulator.setFaults([]);
      const later = await run(b, 'nightly');
      expect(later.counts).toMatchObject({ updated: 400, created: 0 });
      expect(env.emulator.org.all('Contact')).toHaveLength(400);
    } finally {
      a.close();
      b.close();
    }
  });

  // Fresh reviewer 112, F3: the records' lease followed every identity setting as given, so a sync matching by another
  // field, or naming the org or the object in another spelling, took another lease and ran beside the first.
  it('a sync into the same Contacts by another match field, with a trailing slash on the instance URL, or naming the object `contact`, is refused too', async () => {
    const state = new SqliteStateStore(join(dir, 'state.db'));
    try {
      env.emulator.setFaults([{ kind: 'latency', latencyMs: 300, path: '/composite/sobjects' }]);
      const first = runSync({ destination: salesforceDestination, config: env.config, mode: 'additive', source: memorySource(people(400)), state, retry: FAST, syncName: 'by-email' });
      await calledOnce();
      const keyed = people(3).map((p, i) => ({ ...p, snapshot: { ...p.snapshot, properties: { ...p.snapshot.properties, Customer_Id__c: `C-${i}` } } }));
      const others = [
        { name: 'by-customer-id', config: { ...env.config, matchField: 'Customer_Id__c' }, rows: keyed },
        { name: 'slash', config: { ...env.config, instanceUrl: `${env.config.instanceUrl}/` }, rows: people(3) },
        { name: 'lower-case', config: { ...env.config, object: 'contact' }, rows: people(3) },
      ];
      for (const other of others) {
        const refused = await runSync({ destination: salesforceDestination, config: other.config, mode: 'additive', source: memorySource(other.rows), state, retry: FAST, syncName: other.name });
        expect([other.name, refused.status, refused.reason?.code]).toEqual([other.name, 'refused', 'sync_overlap']);
        expect(refused.reason?.message).toContain('(the same instanceUrl, object)');
      }
      expect((await first).counts).toMatchObject({ created: 400, failed: 0 });
      expect(env.emulator.org.all('Contact')).toHaveLength(400);
    } finally {
      state.close();
    }
  });

  // Fresh reviewer 112, F4: two cron jobs started the same minute: the second was refused at once. With waitForOtherRunMs
  // (the CLI's --wait) it waits for the first to end, then runs, and creates no one twice; a wait that runs out is refused.
  it('with waitForOtherRunMs, a second sync waits for the first to end, then runs; a shorter wait runs out and is refused', async () => {
    const state = new SqliteStateStore(join(dir, 'state.db'));
    try {
      env.emulator.setFaults([{ kind: 'latency', latencyMs: 300, path: '/composite/sobjects' }]);
      const warnings: string[] = [];
      const logger = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (message: string) => warnings.push(message) };
      const run = (syncName: string, waitForOtherRunMs: number) =>
        runSync({ destination: salesforceDestination, config: env.config, mode: 'additive', source: memorySource(people(400)), state, retry: FAST, syncName, waitForOtherRunMs, logger });
      const hourly = run('hourly', 0);
      await calledOnce();
      const impatient = await run('nightly', 300);
      expect([impatient.status, impatient.reason?.code]).toEqual(['refused', 'sync_overlap']);
      const nightly = await run('nightly', 60_000);
      expect((await hourly).counts).toMatchObject({ created: 400, failed: 0 });
      expect(nightly.status).toBe('completed');
      expect(nightly.counts).toMatchObject({ updated: 400, created: 0 });
      expect(env.emulator.org.all('Contact')).toHaveLength(400);
      expect(warnings.filter((w) => w.includes('Waiting up to'))).toEqual([expect.stringMatching(/^Another sync into the same Salesforce records .* Waiting up to 1 s for it to end\.$/), expect.stringMatching(/Waiting up to 60 s for it to end\.$/)]);
      // Interrupted while it waits (Ctrl-C): stopped `interrupted`, its rows not sent (fresh reviewer 115, F2: it said refused).
      env.emulator.clearRequests();
      const changed = people(400).map((p) => ({ ...p, snapshot: { ...p.snapshot, properties: { ...p.snapshot.properties, LastName: `${String(p.snapshot.properties.LastName)} 2` } } }));
      const again = runSync({ destination: salesforceDestination, config: env.config, mode: 'additive', source: memorySource(changed), state, retry: FAST, syncName: 'hourly' });
      await calledOnce();
      const stop = new AbortController();
      setTimeout(() => stop.abort(), 300);
      const interrupted = await runSync({ collectResults: true, destination: salesforceDestination, config: env.config, mode: 'additive', source: memorySource(people(3)), state, retry: FAST, syncName: 'nightly', waitForOtherRunMs: 60_000, signal: stop.signal });
      expect([interrupted.status, interrupted.reason?.code]).toEqual(['stopped', 'interrupted']);
      expect(interrupted.reason?.message).toContain('Interrupted while it waited for another run to end (sync_overlap): nothing was sent');
      expect(interrupted.results.map((r) => r.code)).toEqual(['not_sent', 'not_sent', 'not_sent']);
      expect((await again).status).toBe('completed');
    } finally {
      state.close();
    }
  });

  // Fresh reviewer 115, F1: syncs the records' lease took for one target were still told apart by their raw identity
  // settings when a group membership was left: one removed a campaign membership the other still had.
  for (const variant of ['the same settings', 'a trailing slash on the instance URL', "object 'contact'", 'another match field']) {
    it(`a campaign membership another sync into the same Contacts still has is kept when one sync drops it (${variant})`, async () => {
      const state = new SqliteStateStore(join(dir, 'state.db'));
      try {
        const ann = (groups: string[], other = false): ConformanceRecord => ({ id: 'ann', snapshot: { properties: { Email: 'ann@example.com', LastName: 'ANN', ...(other ? { Customer_Id__c: 'C-ann' } : {}) }, groups } });
        const b = variant.startsWith('a trailing') ? { ...env.config, instanceUrl: `${env.config.instanceUrl}/` } : variant.startsWith('object') ? { ...env.config, object: 'contact' } : variant.startsWith('another') ? { ...env.config, matchField: 'Customer_Id__c' } : env.config;
        const run = (config: typeof env.config, syncName: string, groups: string[]) =>
          runSync({ collectResults: true, destination: salesforceDestination, config, mode: 'additive', source: memorySource([ann(groups, config === b && variant.startsWith('another'))]), state, retry: FAST, syncName });
        await run(env.config, 'a', ['VIP']);
        if (variant.startsWith('another')) expect(env.emulator.org.update(String(env.emulator.org.all('Contact')[0]?.Id), { Customer_Id__c: 'C-ann' }).success).toBe(true);
        expect((await run(b, 'b', ['VIP'])).results[0]).toMatchObject({ outcome: 'updated' });
        expect(env.emulator.org.all('CampaignMember')).toHaveLength(1);
        const dropped = await run(env.config, 'a', []);
        expect(dropped.results[0]?.message).toContain('sync "b"');
        expect(env.emulator.org.all('CampaignMember')).toHaveLength(1);
      } finally {
        state.close();
      }
    });
  }

  it('another object (Leads) in the same org is not held up', async () => {
    const state = new SqliteStateStore(join(dir, 'state.db'));
    try {
      env.emulator.setFaults([{ kind: 'latency', latencyMs: 300, path: '/composite/sobjects' }]);
      const contacts = runSync({ destination: salesforceDestination, config: env.config, mode: 'additive', source: memorySource(people(200)), state, retry: FAST, syncName: 'contacts' });
      await calledOnce();
      const leads = await runSync({ destination: salesforceDestination, config: { ...env.config, object: 'Lead' }, mode: 'additive', source: memorySource(people(3).map((p) => ({ ...p, snapshot: { ...p.snapshot, properties: { ...p.snapshot.properties, Company: 'Acme' } } }))), state, retry: FAST, syncName: 'leads' });
      expect(leads.status).toBe('completed');
      expect((await contacts).status).toBe('completed');
    } finally {
      state.close();
    }
  });
});
