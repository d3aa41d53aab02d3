import { ConfigError, SqliteStateStore, runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COLLECTION_LIMIT, MAX_URI_LENGTH } from '../src/emulator/index';
import { salesforceDestination } from '../src/index';
import { readContacts, startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, extra: Record<string, string | null> = {}, groups: string[] = []): ConformanceRecord => ({
  id: `p${i}`,
  snapshot: { properties: { Email: `p${i}@example.com`, LastName: `Last${i}`, FirstName: `First${i}`, ...extra }, groups },
});

describe('Salesforce destination against the emulator', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    env = await startEmulator({ duplicateRule: { object: 'Contact', field: 'Phone' } });
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });

  const run = (records: ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: salesforceDestination, config: env.config, source: memorySource(records), state, retry: FAST, ...extra });
  const writeCalls = async () => (await env.admin.requests()).filter((e) => e.method !== 'GET');

  it('maps per-record Salesforce errors (duplicate rule) to that record only, not retryable', async () => {
    await env.admin.seed({ Contact: [{ LastName: 'Existing', Email: 'existing@example.com', Phone: '555-0100' }] });
    const summary = await run([person(1), person(2, { Phone: '555-0100' }), person(3)]);
    const bad = summary.results.find((r) => r.id === 'p2');
    expect(bad).toMatchObject({ outcome: 'failed', code: 'duplicates_detected', retryable: false });
    expect(bad?.message).toContain('DUPLICATES_DETECTED');
    // Fresh trial 139, F4: the raw "Use one of these records?" named no record and no remedy.
    const existing = env.emulator.org.all('Contact').find((c) => c.Email === 'existing@example.com')?.Id;
    expect(bad?.message).toContain(`A duplicate rule of the org (Standard_Contact_Duplicate_Rule) refused this write: it matches ${String(existing)}; nothing was written`);
    expect(bad?.message).toMatch(/merge the records in Salesforce .* set the rule to let the integration user save/);
    expect(summary.counts.created).toBe(2);
    expect((await env.admin.requests()).filter((e) => e.method === 'POST')).toHaveLength(1);
  });

  it('fails records that cannot fit before sending them (length, email, required fields)', async () => {
    const summary = await run([
      person(1, { FirstName: 'x'.repeat(41) }),
      person(2, { Email: 'not an email' }),
      person(3, { LastName: null }),
      person(4),
    ]);
    const codes = Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]));
    expect(codes).toEqual({ p1: 'value_too_long', p2: 'invalid_email', p3: 'required_field_missing', p4: 'created' });
    const posted = (await writeCalls()).flatMap((e) => (e.body as { records: { Email: string }[] }).records.map((r) => r.Email));
    expect(posted).toEqual(['p4@example.com']);
  });

  it('refuses an unknown field at configuration time, before any write', async () => {
    await expect(run([person(1, { Shoe_Size__c: '42' })])).rejects.toThrow(ConfigError);
    await expect(run([person(1, { Shoe_Size__c: '42' })])).rejects.toThrow(/Contact has no field "Shoe_Size__c"/);
    expect(await writeCalls()).toEqual([]);
  });

  it('escapes SOQL literals: keys with quotes and backslashes are found again', async () => {
    const config = { ...env.config, matchField: 'Customer_Id__c' };
    const tricky = [
      { id: 'a', snapshot: { properties: { Customer_Id__c: "O'Brien\\01", LastName: 'A', Title: 'one' }, groups: [] } },
      { id: 'b', snapshot: { properties: { Customer_Id__c: "x' OR Name != '", LastName: 'B', Title: 'one' }, groups: [] } },
    ];
    const first = await runSync({ collectResults: true, destination: salesforceDestination, config, source: memorySource(tricky), state, retry: FAST });
    expect(first.counts.created).toBe(2);
    const again = tricky.map((r) => ({ ...r, snapshot: { ...r.snapshot, properties: { ...r.snapshot.properties, Title: 'two' } } }));
    const second = await runSync({ collectResults: true, destination: salesforceDestination, config, source: memorySource(again), state: new SqliteStateStore(':memory:'), retry: FAST });
    expect(second.counts).toMatchObject({ updated: 2, created: 0, failed: 0 });
    const contacts = (await env.admin.records<{ Contact: { Title: string }[] }>()).Contact;
    expect(contacts.map((c) => c.Title)).toEqual(['two', 'two']);
  });

  it('keeps lookup queries under the URI limit with long keys, and writes in calls of at most 200', async () => {
    const long = (i: number) => person(i, { Email: `a.long.mailbox.for.uri.limits.${i}@a-rather-long-company-domain.example.com` });
    const records = Array.from({ length: 450 }, (_, i) => long(i));
    const first = await run(records);
    expect(first.counts.created).toBe(450);
    await env.admin.clearRequests();
    const renamed = records.map((r) => ({ ...r, snapshot: { ...r.snapshot, properties: { ...r.snapshot.properties, Title: 'Engineer' } } }));
    const second = await runSync({ collectResults: true, destination: salesforceDestination, config: env.config, source: memorySource(renamed), state: new SqliteStateStore(':memory:'), retry: FAST });
    expect(second.counts).toMatchObject({ updated: 450, created: 0 });
    const log = await env.admin.requests();
    const queries = log.filter((e) => e.path.endsWith('/query'));
    expect(queries.length).toBeGreaterThan(3);
    for (const q of queries) expect(q.path.length + new URLSearchParams(q.query).toString().length).toBeLessThan(MAX_URI_LENGTH);
    const patches = log.filter((e) => e.method === 'PATCH');
    expect(patches.map((e) => (e.body as { records: unknown[] }).records.length)).toEqual([COLLECTION_LIMIT, COLLECTION_LIMIT, 50]);
  });

  it('skips converted Leads with converted_lead instead of failing them', async () => {
    await env.admin.seed({ Lead: [{ LastName: 'Conv', Company: 'Acme', Email: 'p1@example.com', IsConverted: true }, { LastName: 'Open', Company: 'Acme', Email: 'p2@example.com' }] });
    const config = { ...env.config, object: 'Lead' };
    const summary = await runSync({
      collectResults: true,
      destination: salesforceDestination,
      config,
      mode: 'enrich',
      source: memorySource([person(1, { Title: 'CTO' }), person(2, { Title: 'CEO' })]),
      state,
      retry: FAST,
    });
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`)).toEqual(['p1:skipped:converted_lead', 'p2:updated:']);
    expect((await writeCalls()).flatMap((e) => (e.body as { records: { id: string }[] }).records)).toHaveLength(1);
  });

  // Fresh helper 101, F4 and F6: a restricted picklist value in another letter case was refused; a date outside
  // Salesforce's range was sent, and Salesforce's refusal quoted it (a birth date) in the report.
  it('sends a restricted picklist value in the picklist\'s own casing; fails a date outside 1700–4000 alone, without quoting it', async () => {
    const config = { ...env.config, object: 'Lead' };
    const summary = await runSync({
      collectResults: true,
      destination: salesforceDestination,
      config,
      mode: 'additive',
      source: memorySource([person(1, { Company: 'Acme', Status: 'working - contacted' }), person(2, { Company: 'Acme', Status: 'Open - Not Contacted' }), person(3, { Company: 'Acme', Status: 'working' })]),
      state,
      retry: FAST,
    });
    expect(Object.fromEntries(summary.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ p1: 'created', p2: 'created', p3: 'invalid_picklist_value' });
    const leads = (await env.admin.records<{ Lead: { Email: string; Status: string }[] }>()).Lead;
    expect(leads.map((l) => [l.Email, l.Status]).sort()).toEqual([
      ['p1@example.com', 'Working - Contacted'],
      ['p2@example.com', 'Open - Not Contacted'],
    ]);

    const dates = await runSync({
      collectResults: true,
      destination: salesforceDestination,
      config: env.config,
      mode: 'additive',
      source: memorySource([person(4, { Birthdate: '0001-01-01' }), person(5, { Birthdate: '1699-12-31' }), person(6, { Birthdate: '1700-01-01' })]),
      state: new SqliteStateStore(':memory:'),
      retry: FAST,
    });
    expect(Object.fromEntries(dates.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ p4: 'invalid_date', p5: 'invalid_date', p6: 'created' });
    expect(JSON.stringify(dates.results)).not.toMatch(/0001|1699/);
  });

  it('stops on INVALID_SESSION_ID: nothing written, every record pending as not_sent', async () => {
    const summary = await runSync({
      collectResults: true,
      destination: salesforceDestination,
      config: { ...env.config, accessToken: 'expired-token' },
      source: memorySource([person(1), person(2)]),
      state,
      retry: FAST,
    });
    expect(summary.status).toBe('stopped');
    expect(summary.reason?.code).toBe('authentication_failed');
    expect(summary.reason?.message).not.toContain('expired-token');
    expect(summary.results.map((r) => r.code)).toEqual(['not_sent', 'not_sent']);
    expect(await writeCalls()).toEqual([]);
  });

  it('stops when the daily request allocation is used up, and the next run finishes the rest', async () => {
    await env.emulator.stop();
    env = await startEmulator({ dailyRequestLimit: 4 });
    const records = Array.from({ length: 600 }, (_, i) => person(i));
    const first = await run(records);
    expect(first.status).toBe('stopped');
    expect(first.reason?.code).toBe('quota_exceeded');
    expect(first.counts.created + first.counts.skipped).toBe(600);
    expect(first.counts.failed).toBe(0);
    await env.emulator.stop();
    const data = env.emulator.org.snapshot();
    env = await startEmulator();
    env.emulator.org.load(data);
    const second = await run(records);
    expect(second.status).toBe('completed');
    expect(second.counts.created).toBe(first.counts.skipped);
    expect(second.counts.unchanged).toBe(first.counts.created);
    expect((await readContacts(env.admin)).length).toBe(600);
  });
});

describe('Salesforce session expiry', () => {
  it('refreshes an expired token once when OAuth refresh is configured, and finishes the run', async () => {
    const env = await startEmulator({ refreshToken: 'refresh-me', clientId: 'app-key', expireTokenAfterCalls: 3 });
    try {
      const state = new SqliteStateStore(':memory:');
      const records = Array.from({ length: 700 }, (_, i) => person(i));
      const summary = await runSync({
        collectResults: true,
        destination: salesforceDestination,
        config: { ...env.config, refreshToken: 'refresh-me', clientId: 'app-key', loginUrl: env.url },
        source: memorySource(records),
        state,
        retry: FAST,
      });
      expect(summary.status).toBe('completed');
      expect(summary.counts.created).toBe(700);
      const log = await env.admin.requests();
      expect(log.filter((e) => e.path === '/services/oauth2/token').map((e) => e.status)).toEqual([200]);
      expect(log.filter((e) => e.status === 401).length).toBeGreaterThanOrEqual(1);
    } finally {
      await env.emulator.stop();
    }
  });

  it('stops with a clear status when the refresh is refused, and the next run finishes without resending', async () => {
    const env = await startEmulator({ refreshToken: 'refresh-me', clientId: 'app-key', expireTokenAfterCalls: 7 });
    try {
      const state = new SqliteStateStore(':memory:');
      const records = Array.from({ length: 700 }, (_, i) => person(i));
      const config = { ...env.config, refreshToken: 'wrong-refresh-token', clientId: 'app-key', loginUrl: env.url };
      const first = await runSync({ collectResults: true, destination: salesforceDestination, config, source: memorySource(records), state, retry: FAST });
      expect(first.status).toBe('stopped');
      expect(first.reason?.code).toBe('authentication_failed');
      expect(first.reason?.message).toMatch(/refreshing it did not help/);
      expect(first.reason?.message).not.toContain('wrong-refresh-token');
      expect(first.counts.failed).toBe(0);
      const created = first.counts.created;
      expect(created).toBeGreaterThan(0);
      expect(first.counts.skipped).toBe(700 - created);
      await env.admin.clearRequests();
      const second = await runSync({
        collectResults: true,
        destination: salesforceDestination,
        config: { ...config, refreshToken: 'refresh-me' },
        source: memorySource(records),
        state,
        retry: FAST,
      });
      expect(second.status).toBe('completed');
      expect(second.counts).toMatchObject({ created: 700 - created, unchanged: created });
      const posted = (await env.admin.requests()).filter((e) => e.method === 'POST' && e.path.endsWith('/composite/sobjects'));
      expect(posted.flatMap((e) => (e.body as { records: unknown[] }).records)).toHaveLength(700 - created);
    } finally {
      await env.emulator.stop();
    }
  });

  it('without OAuth refresh configured, an expired token stops the run at once', async () => {
    const env = await startEmulator({ expireTokenAfterCalls: 2 });
    try {
      const summary = await runSync({
        collectResults: true,
        destination: salesforceDestination,
        config: env.config,
        source: memorySource(Array.from({ length: 500 }, (_, i) => person(i))),
        state: new SqliteStateStore(':memory:'),
        retry: FAST,
      });
      expect(summary).toMatchObject({ status: 'stopped', reason: { code: 'authentication_failed' } });
      expect((await env.admin.requests()).filter((e) => e.path === '/services/oauth2/token')).toEqual([]);
    } finally {
      await env.emulator.stop();
    }
  });
});
