import { SqliteStateStore, runSync, type RecordResult } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
/** Above one collection call (200), so the bulk path is visible with small data. */
const N = 250;
const person = (i: number, extra: Record<string, string | null> = {}): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { Email: `person${i}@example.com`, LastName: `Last${i}`, Title: `Title ${i}`, ...extra }, groups: [] },
});
const people = (n = N, extra: (i: number) => Record<string, string | null> = () => ({})) => Array.from({ length: n }, (_, i) => person(i, extra(i)));

const JOBS = '/services/data/v62.0/jobs';
/** What a request was, for assertions on the emulator's log. */
function kind(e: RequestLogEntry): string {
  const p = e.path;
  if (p.includes('/composite/sobjects')) return `collection ${e.method}`;
  if (p === `${JOBS}/ingest` && e.method === 'POST') return 'ingest create';
  if (/\/jobs\/ingest\/[^/]+\/batches$/.test(p)) return 'ingest upload';
  if (/\/jobs\/ingest\/[^/]+$/.test(p)) return e.method === 'PATCH' ? `ingest ${(e.body as { state: string }).state}` : 'ingest poll';
  if (/\/jobs\/ingest\/[^/]+\/(\w+)$/.test(p)) return `ingest ${/\/(\w+)$/.exec(p)?.[1]}`;
  if (p === `${JOBS}/query`) return 'query create';
  if (/\/jobs\/query\/[^/]+$/.test(p)) return 'query poll';
  if (/\/jobs\/query\/[^/]+\/results$/.test(p)) return 'query results';
  if (p.endsWith('/query')) return /COUNT\(\)/.test(e.query.q ?? '') ? 'count' : 'soql';
  if (p.endsWith('/describe')) return 'describe';
  return `${e.method} ${p}`;
}
const kinds = (log: readonly RequestLogEntry[]) => log.map(kind).filter((k) => k !== 'ingest poll' && k !== 'query poll');

describe('Salesforce Bulk API 2.0 path (through the kit, against the emulator)', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  let config: { instanceUrl: string; accessToken: string } & Record<string, unknown>;
  beforeEach(async () => {
    env = await startEmulator({ duplicateRule: { object: 'Contact', field: 'Phone' }, bulk: { recordsPerTurn: 7 } });
    state = new SqliteStateStore(':memory:');
    config = { ...env.config, bulkThreshold: 240, bulkPollIntervalMs: 5 };
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });
  const contacts = () => env.emulator.org.all('Contact');
  const run = (records: ConformanceRecord[], extra: Record<string, unknown> = {}, mode = 'additive') =>
    runSync({ collectResults: true, destination: salesforceDestination, config: { ...config, ...extra }, mode, source: memorySource(records), state, retry: FAST });

  it('stays on sObject Collections up to the threshold and switches to one ingest job above it', async () => {
    const below = await run(people(), { bulkThreshold: N });
    expect(below.counts).toMatchObject({ created: N, failed: 0 });
    expect(kinds(env.emulator.requests)).toEqual(['describe', 'soql', 'soql', 'collection POST', 'collection POST']);

    await env.emulator.reset();
    state.close();
    state = new SqliteStateStore(':memory:');
    const at = await run(people(), { bulkThreshold: N - 1 });
    expect(at.counts).toMatchObject({ created: N, failed: 0 });
    // Lookup: COUNT() then one query job (the org holds fewer records than the run has keys); write: one insert job.
    expect(kinds(env.emulator.requests)).toEqual(['describe', 'count', 'query create', 'query results', 'ingest create', 'ingest upload', 'ingest UploadComplete', 'ingest successfulResults']);
    expect(contacts()).toHaveLength(N);
  });

  it('maps each insert result back to its record: ids, failures with Salesforce codes, state per job', async () => {
    env.emulator.seed({ Contact: [{ LastName: 'Someone', Email: 'someone@example.com', Phone: '555-0100' }] });
    const results: RecordResult[] = [];
    const records = people(N, (i) => (i === 7 ? { Phone: '555-0100' } : {}));
    const summary = await run(records, {}, 'additive');
    results.push(...summary.results);
    expect(summary.counts).toMatchObject({ created: N - 1, failed: 1 });
    const failed = results.find((r) => r.outcome === 'failed');
    expect(failed).toMatchObject({ id: 'c7', code: 'duplicates_detected' });
    const byEmail = new Map(contacts().map((c) => [String(c.Email), String(c.Id)]));
    for (const r of results.filter((x) => x.outcome === 'created')) {
      expect(r.destinationId).toBe(byEmail.get(`person${r.id.slice(1)}@example.com`));
    }
    expect(kinds(env.emulator.requests)).toContain('ingest failedResults');
    // State was written for the acknowledged records: an unchanged rerun sends nothing.
    env.emulator.clearRequests();
    const rerun = await run(people(N, (i) => (i === 7 ? { Phone: '555-0100' } : {})));
    expect(rerun.counts).toMatchObject({ unchanged: N - 1 });
    expect(kinds(env.emulator.requests).filter((k) => k.startsWith('ingest') || k.startsWith('collection'))).toEqual(['collection POST']);
  });

  it('updates through an update job (#N/A clears), fetching no results when every record succeeded', async () => {
    await run(people());
    env.emulator.clearRequests();
    const summary = await run(people(N, (i) => ({ Title: i % 2 === 0 ? null : `Chief ${i}` })));
    expect(summary.counts).toMatchObject({ updated: N, failed: 0 });
    expect(kinds(env.emulator.requests)).toEqual(['describe', 'count', 'query create', 'query results', 'ingest create', 'ingest upload', 'ingest UploadComplete']);
    const upload = env.emulator.requests.find((e) => kind(e) === 'ingest upload');
    expect(String(upload?.body).split('\n')[0]).toBe('Id,Title');
    const byEmail = new Map(contacts().map((c) => [String(c.Email), c]));
    expect(byEmail.get('person2@example.com')?.Title).toBeUndefined();
    expect(byEmail.get('person3@example.com')?.Title).toBe('Chief 3');
  });

  it('keeps the mode: an enrich bulk run updates the records that exist and creates none', async () => {
    env.emulator.seed({ Contact: people(230).map((p) => ({ Email: p.snapshot.properties.Email, LastName: 'Old' })) });
    const summary = await run(people(), {}, 'enrich');
    expect(summary.counts).toMatchObject({ updated: 230, skipped: 20, created: 0 });
    expect(summary.results.filter((r) => r.outcome === 'skipped').every((r) => r.code === 'not_found')).toBe(true);
    const log = kinds(env.emulator.requests);
    expect(log.filter((k) => k === 'ingest create')).toHaveLength(1);
    const job = env.emulator.requests.find((e) => kind(e) === 'ingest create');
    expect(job?.body).toMatchObject({ operation: 'update', object: 'Contact' });
    expect(contacts()).toHaveLength(230);
  });

  it('deletes through a delete job in sync mode, only records this sync created', async () => {
    env.emulator.seed({ Contact: [{ LastName: 'Hand made', Email: 'person249@example.com' }] });
    await run(people(), {}, 'sync');
    env.emulator.clearRequests();
    const summary = await runSync({
      collectResults: true,
      destination: salesforceDestination,
      config,
      mode: 'sync',
      source: memorySource(people(5)),
      state,
      retry: FAST,
      guard: { maxDeletes: 1_000 },
    });
    expect(summary.counts).toMatchObject({ deleted: 244, unchanged: 5, skipped: 1 });
    const job = env.emulator.requests.find((e) => kind(e) === 'ingest create');
    expect(job?.body).toMatchObject({ operation: 'delete' });
    expect(contacts().map((c) => c.Email).sort()).toEqual([...people(5).map((p) => p.snapshot.properties.Email), 'person249@example.com'].sort());
  });

  it('resends the records a failed job left unprocessed, once each', async () => {
    env.emulator.bulk.settings = { ...env.emulator.bulk.settings, failAfterRecords: 240 };
    const summary = await run(people());
    expect(summary.counts).toMatchObject({ created: N, failed: 0 });
    const log = kinds(env.emulator.requests);
    expect(log.filter((k) => k === 'ingest unprocessedrecords')).toHaveLength(1);
    // The 10 unprocessed records went again in one collection call (10 ≤ 200).
    expect(log.filter((k) => k === 'collection POST')).toHaveLength(1);
    expect(contacts()).toHaveLength(N);
    expect(new Set(contacts().map((c) => c.Email)).size).toBe(N);
  });

  // What the connector does after each lost response: [jobs created, jobs aborted].
  for (const [what, method, path, jobs, aborted] of [
    // An open job that never got data: a new job is made (the kit first finds none of the records).
    ['creating the job', 'POST', `^${JOBS}/ingest$`, 2, 0],
    // The job is still open: aborted, so nothing of it is written; a new job follows.
    ['the upload', 'PUT', `^${JOBS}/ingest/[^/]+/batches$`, 2, 1],
    // The job was closed: followed to its end and its results used.
    ['closing the job', 'PATCH', `^${JOBS}/ingest/[^/]+$`, 1, 0],
    ['the results', 'GET', `^${JOBS}/ingest/[^/]+/successfulResults$`, 1, 0],
  ] as const) {
    it(`creates no duplicate when the response to ${what} is lost`, async () => {
      env.emulator.setFaults([{ kind: 'lost_response', method, path, times: 1 }]);
      const summary = await run(people());
      const log = kinds(env.emulator.requests);
      expect(log.filter((k) => k === 'ingest create')).toHaveLength(jobs);
      expect(log.filter((k) => k === 'ingest Aborted')).toHaveLength(aborted);
      expect(summary.counts).toMatchObject({ created: N, failed: 0 });
      expect(contacts()).toHaveLength(N);
      expect(new Set(contacts().map((c) => String(c.Email))).size).toBe(N);
      const ids = new Map(contacts().map((c) => [String(c.Email), String(c.Id)]));
      for (const r of summary.results) expect(r.destinationId).toBe(ids.get(`person${r.id.slice(1)}@example.com`));
      env.emulator.clearRequests();
      const rerun = await run(people());
      expect(rerun.counts).toMatchObject({ unchanged: N });
      expect(env.emulator.requests).toHaveLength(0);
    });
  }

  // A closed job's calls that fail with "try again" are retried within the job, never by making a new one.
  for (const [what, kind, method, path] of [
    ['a poll is rate limited', 'rate_limit', 'GET', `^${JOBS}/ingest/[^/]+$`],
    ['the results are rate limited', 'rate_limit', 'GET', `^${JOBS}/ingest/[^/]+/successfulResults$`],
    ['the results answer 503', 'server_error', 'GET', `^${JOBS}/ingest/[^/]+/successfulResults$`],
  ] as const) {
    it(`creates no duplicate when ${what} after the job was closed`, async () => {
      env.emulator.setFaults([{ kind, method, path, times: 2, retryAfterSec: 0.01 }]);
      const summary = await run(people());
      const log = kinds(env.emulator.requests);
      expect(log.filter((k) => k === 'ingest create')).toHaveLength(1);
      expect(summary.counts).toMatchObject({ created: N, failed: 0 });
      expect(contacts()).toHaveLength(N);
      expect(new Set(contacts().map((c) => String(c.Email))).size).toBe(N);
    });
  }

  it('stops on an expired session in a CSV answer (read as text) as on any other, and the next run creates no duplicate', async () => {
    env.emulator.setFaults([{ kind: 'auth_expired', method: 'GET', path: `^${JOBS}/ingest/[^/]+/successfulResults$` }]);
    const stopped = await run(people());
    expect(stopped.status).toBe('stopped');
    expect(stopped.reason?.code).toBe('authentication_failed');
    env.emulator.setFaults([]);
    const next = await run(people());
    expect(next.counts.failed).toBe(0);
    expect(contacts()).toHaveLength(N);
    expect(new Set(contacts().map((c) => String(c.Email))).size).toBe(N);
  });

  it('creates no duplicate when closing the job loses its answer and the polls after the first are rate limited', async () => {
    await fetch(`${env.url}/__emulator/bulk`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ recordsPerTurn: 1 }) });
    env.emulator.setFaults([
      { kind: 'lost_response', method: 'PATCH', path: `^${JOBS}/ingest/[^/]+$`, times: 1 },
      { kind: 'rate_limit', method: 'GET', path: `^${JOBS}/ingest/[^/]+$`, after: 1, times: 6 },
    ]);
    const first = await run(people());
    // Nobody knows what the job wrote: no second insert job in this run; the records wait for the next.
    expect(kinds(env.emulator.requests).filter((k) => k === 'ingest create')).toHaveLength(1);
    expect(first.counts.failed + first.counts.skipped + first.counts.created).toBe(N);
    env.emulator.setFaults([]);
    const next = await run(people());
    expect(next.counts.failed).toBe(0);
    expect(new Set(contacts().map((c) => String(c.Email))).size).toBe(contacts().length);
    expect(contacts()).toHaveLength(N);
  });
});
