import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import diagnosticsChannel from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { MemoryStateStore, openSource, SqliteStateStore, runSync } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { createTinyAudienceEmulator, TINY_AUDIENCE_TOKEN, tinyAudienceDestination } from './tiny/tiny-audience';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_MAX_BATCH, TINY_TOKEN } from './tiny/tiny-emulator';
import { FailingStore } from './tiny/failing-store';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number): ConformanceRecord => ({ id: `c${i}`, snapshot: { properties: { email: `p${i}@example.com`, name: `Person ${i}` }, groups: [] } });
const people = (n: number) => Array.from({ length: n }, (_, i) => person(i));
type Stored = { records: { id: string; key: string }[] };

describe('a run stops cleanly when state, the user or the destination says so', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let admin: EmulatorClient;
  let url: string;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
  });
  afterEach(async () => {
    await emulator.stop();
  });
  const config = () => ({ baseUrl: url, token: TINY_TOKEN });

  it('a connector that throws a plain error when the run connects (a bug, an answer it could not read) stops the run with a summary under that code, never a thrown stack (verify foreign_body, stop 32)', async () => {
    const connect: typeof tinyDestination.connect = async () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'map')"));
    const broken: typeof tinyDestination = { ...tinyDestination, connect };
    const summary = await runSync({ collectResults: true, destination: broken, config: config(), source: memorySource(people(3)), state: new MemoryStateStore(), retry: FAST });
    expect(summary.status).toBe('stopped');
    expect(summary.reason).toMatchObject({ code: 'unexpected_error' });
    expect(summary.reason?.message).toMatch(/^Tiny failed when the run connected: Cannot read properties of undefined/);
    expect(summary.results.map((r) => r.code)).toEqual(['not_sent', 'not_sent', 'not_sent']);
  });

  it('the deletion guard does not count records that left while new rows carry their values under new ids and new emails (kept, rekeyed): the run is not refused, nothing deleted (third trial of stop 32, medium)', async () => {
    const state = new MemoryStateStore();
    const named = (id: string, email: string, n: number): ConformanceRecord => ({ id, snapshot: { properties: { email, name: `Person ${n}` }, groups: [] } });
    const first = await runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source: memorySource(Array.from({ length: 10 }, (_, i) => named(`c${i}`, `p${i}@example.com`, i))), state, retry: FAST });
    expect(first.counts.created).toBe(10);
    // Half of them get a new id and a new email, every other value the same: 50% of what the sync owns would leave.
    const moved = Array.from({ length: 10 }, (_, i) => (i < 5 ? named(`n${i}`, `new${i}@example.com`, i) : named(`c${i}`, `p${i}@example.com`, i)));
    const next = await runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source: memorySource(moved), state, retry: FAST });
    expect(next.status).toBe('completed');
    expect(next.counts.deleted).toBe(0);
    expect(next.results.filter((r) => r.id.startsWith('c') && Number(r.id.slice(1)) < 5).map((r) => r.code)).toEqual(['rekeyed', 'rekeyed', 'rekeyed', 'rekeyed', 'rekeyed']);
    expect(((await admin.records()) as Stored).records).toHaveLength(15);
  });

  it('a state write that fails stops sending at once; the report names what was sent but not recorded; the next run takes ownership of it instead of orphaning it', async () => {
    const state = new FailingStore(3); // the two batches' write-ahead marks (each as its call goes out) and the first acknowledged batch, then the disk is full
    const records = people(4 * TINY_MAX_BATCH);
    const first = await runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source: memorySource(records), state, retry: FAST, windowSize: 2 * TINY_MAX_BATCH });
    expect(first.status).toBe('stopped');
    expect(first.reason?.code).toBe('state_unwritable');
    const posts = (await admin.requests()).filter((e) => e.method === 'POST');
    // Window 1: two create batches; the second's state write failed → nothing more is sent.
    expect(posts).toHaveLength(2);
    const unrecorded = first.results.filter((r) => r.code === 'state_unwritable');
    expect(unrecorded).toHaveLength(TINY_MAX_BATCH);
    expect(unrecorded[0]?.message).toContain('Sent and acknowledged, but the sync');
    expect(first.results.filter((r) => r.code === 'not_sent')).toHaveLength(2 * TINY_MAX_BATCH);
    expect(first.results).toHaveLength(records.length);

    state.heal();
    const second = await runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source: memorySource(records), state, retry: FAST });
    expect(second.status).toBe('completed');
    expect((await admin.records<Stored>()).records).toHaveLength(records.length); // no duplicate
    // Everything the first run created is owned: sync mode deletes it when it leaves the source.
    expect(await state.count(second.syncId, 'owned')).toBe(records.length);
    const third = await runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source: memorySource(records.slice(1)), state, retry: FAST, guard: { maxDeletes: 5 } });
    expect(third.results.find((r) => r.id === 'c0')).toMatchObject({ outcome: 'deleted' });
  });

  it('a key change sent but not recorded keeps its ownership when the old key now finds a copy: the next run settles on the record this sync created, and sync mode deletes it when it leaves (verify quick seed 595356138, salesforce/sync state faults)', async () => {
    const state = new FailingStore(Number.POSITIVE_INFINITY);
    const run = (records: ConformanceRecord[]) => runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source: memorySource(records), state, retry: FAST, guard: { allowEmptySource: true, maxDeletes: 1 } });
    expect((await run([person(1)])).results[0]).toMatchObject({ outcome: 'created' });
    const created = (await admin.records<Stored>()).records[0];
    // The key change: its write-ahead mark is recorded, the acknowledged write is not (disk full).
    state.failAfterNext(1);
    const moved: ConformanceRecord = { id: 'c1', snapshot: { properties: { email: 'p9@example.com', name: 'Person 1' }, groups: [] } };
    const second = await run([moved]);
    expect(second.results[0]).toMatchObject({ outcome: 'failed', code: 'state_unwritable' });
    // Someone copies the record under its old key: the old key now finds the copy, the new key the record this sync created.
    await admin.seed({ records: [{ key: 'p1@example.com', fields: { name: 'Person 1' } }] });
    state.heal();
    const third = await run([moved]);
    expect(third.results[0]).toMatchObject({ outcome: 'updated', destinationId: created?.id });
    expect(await state.count(third.syncId, 'owned')).toBe(1);
    const fourth = await run([]);
    expect(fourth.results[0]).toMatchObject({ id: 'c1', outcome: 'deleted' });
    expect((await admin.records<Stored>()).records.map((r) => r.key)).toEqual(['p1@example.com']); // the copy stays
  });

  it('a write-ahead mark never confirmed stays unconfirmed while its record is out of the source (enrich keeps it): when it returns, everything is sent again (crash verify, onesignal/enrich)', async () => {
    await admin.seed({ records: [{ key: 'p1@example.com', fields: { name: 'Seeded' } }, { key: 'p2@example.com', fields: { name: 'Seeded' } }] });
    const state = new MemoryStateStore();
    const run = (records: ConformanceRecord[]) => runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'enrich', source: memorySource(records), state, retry: FAST });
    const named = (i: number, name: string): ConformanceRecord => ({ id: `c${i}`, snapshot: { properties: { email: `p${i}@example.com`, name }, groups: [] } });
    const first = await run([named(1, 'v0'), named(2, 'v0')]);
    expect(first.counts.updated).toBe(2);
    // A run killed after its write-ahead mark for c1 ("v1"), before the update was sent.
    const [entry] = (await state.get(first.syncId, ['c1'])).values();
    if (!entry) throw new Error('no entry for c1');
    await state.put(first.syncId, [{ ...entry, snapshot: { ...entry.snapshot, properties: { ...entry.snapshot.properties, name: 'v1' } }, hash: '', pending: true }]);
    expect((await run([named(2, 'v0')])).results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'skipped', code: 'delete_not_allowed' });
    expect((await run([named(2, 'v0')])).results.find((r) => r.id === 'c1')).toBeUndefined(); // not looked at again
    const back = await run([named(1, 'v1'), named(2, 'v0')]);
    expect(back.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'updated' });
    expect((await admin.records<{ records: { key: string; fields: { name: string } }[] }>()).records.find((r) => r.key === 'p1@example.com')?.fields.name).toBe('v1');
    expect((await run([named(1, 'v1'), named(2, 'v0')])).counts.updated).toBe(0);
  });

  it('audiences: a first join sent but not recorded (state failed) is marked, so the next run removes that person if they left the source (sync), and reports created if they stayed', async () => {
    const audience = createTinyAudienceEmulator(100);
    const audienceUrl = await audience.start();
    try {
      const member = (id: string, groups: string[]): ConformanceRecord => ({ id, snapshot: { properties: { email: `${id}@example.com` }, groups } });
      const run = (records: ConformanceRecord[], state: MemoryStateStore) =>
        runSync({ collectResults: true, destination: tinyAudienceDestination, config: { baseUrl: audienceUrl, token: TINY_AUDIENCE_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: FAST, guard: { maxDeletes: 10, allowEmptySource: true } });
      const members = async () => (await new EmulatorClient(audienceUrl).records<{ audiences: { name: string; members: string[] }[] }>()).audiences.find((a) => a.name === 'A')?.members;
      const state = new FailingStore(1); // the write-ahead mark, then the disk is full
      const first = await run([member('p1', ['A']), member('p2', ['A'])], state);
      expect(first.reason?.code).toBe('state_unwritable');
      expect(first.results.map((r) => r.code)).toEqual(['state_unwritable', 'state_unwritable']);
      expect(await members()).toEqual(['p1@example.com', 'p2@example.com']);
      state.heal();
      const second = await run([member('p2', ['A'])], state);
      expect(second.results.find((r) => r.id === 'p1')).toMatchObject({ outcome: 'deleted' });
      expect(second.results.find((r) => r.id === 'p2')).toMatchObject({ outcome: 'created' });
      expect(await members()).toEqual(['p2@example.com']);
    } finally {
      await audience.stop();
    }
  });

  it('a sync name run with its URL spelled another way starts a new sync that owns nothing: the run says so (sync_identity_changed), once (fourth trial of stop 27)', async () => {
    const state = new MemoryStateStore();
    const run = (baseUrl: string) => runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl, token: TINY_TOKEN }, mode: 'sync', source: memorySource(people(2)), state, retry: FAST, syncName: 'tt' });
    expect((await run(url)).notices).toEqual([]);
    const slash = await run(`${url}/`);
    expect(slash.notices.map((n) => n.code)).toEqual(['sync_identity_changed']);
    expect(slash.notices[0]?.message).toBe(
      `A sync named "tt" of Tiny exists with other settings (baseUrl ${JSON.stringify(url)} → ${JSON.stringify(`${url}/`)}): this run starts a new sync, which owns nothing — sync mode deletes nothing the other created. Only the spelling of the URL differs (a trailing slash, capitals, a default port): the connectors' endpoint URLs are now read in one spelling, so if the other sync is from an earlier version, this one goes on from here and the other's state can be dropped (\`syncmodes state forget\`); otherwise give the URL as before.`,
    );
    const localhost = await run(url.replace('127.0.0.1', 'localhost'));
    expect(localhost.notices[0]?.message).toContain('If it is the same Tiny account, give the settings exactly as before (the same spelling of the URL).');
    expect((await run(`${url}/`)).notices).toEqual([]); // said once
    expect((await runSync({ destination: tinyDestination, config: config(), mode: 'sync', source: memorySource(people(2)), state, retry: FAST, syncName: 'other' })).notices).toEqual([]);
  });

  it('a sync name run with another id column: the notice names the id column, not the URL; a namesake holding no record is no namesake (new-user check 125: a run refused for a misspelt --id left its sync registered)', async () => {
    const state = new MemoryStateStore();
    const dir = mkdtempSync(join(tmpdir(), 'keyed-'));
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'Customer Id,Email,Name\nc1,ada@example.com,Ada\nc2,alan@example.com,Alan\n');
    const run = (sourceKey: string) =>
      runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source: openSource(file, { idColumn: sourceKey, fields: { email: 'Email', name: 'Name' } }), state, retry: FAST, syncName: 'keyed', sourceKey });
    // The first run names a column the source does not have: refused before anything is written, its sync registered all the same.
    const refused = await run('Customer Idd').catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'unknown_column' });
    expect((await state.listSyncs()).filter((s) => s.name === 'keyed').map((s) => s.records)).toEqual([0]);
    const corrected = await run('Customer Id');
    expect(corrected.notices).toEqual([]);
    expect(corrected.counts.created).toBe(2);
    // A run with another id column while the sync holds records: it is told so, and told what differs.
    const other = await run('Email');
    expect(other.notices.map((n) => n.code)).toEqual(['sync_identity_changed']);
    expect(other.notices[0]?.message).toContain('exists with other settings (another id column of the source)');
    expect(other.notices[0]?.message).toContain('If it is the same source, give the id column it had before');
    expect(other.notices[0]?.message).not.toContain('URL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second run of the same sync while one runs is refused with sync_running naming the holder; every row is accounted for', async () => {
    const state = new MemoryStateStore();
    await admin.setFaults([{ kind: 'latency', latencyMs: 400, method: 'POST' }]);
    const first = runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(20)), state, retry: FAST, lease: { holder: 'other-host:1:abc' } });
    await new Promise((r) => setTimeout(r, 100));
    const second = await runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(20)), state, retry: FAST });
    expect(second.status).toBe('refused');
    expect(second.reason?.code).toBe('sync_running');
    expect(second.reason?.message).toContain('other-host:1:abc');
    expect(second.results.every((r) => r.code === 'run_refused')).toBe(true);
    expect(second.results).toHaveLength(20);
    expect((await first).counts.created).toBe(20);
    expect((await admin.records<Stored>()).records).toHaveLength(20); // not twice
    // Once the first run ended, the lease is free again.
    const third = await runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(20)), state, retry: FAST });
    expect(third.counts.unchanged).toBe(20);
  });

  it('a state file another process keeps locked (a run paused mid-write) refuses the run as sync_running, not as a full disk; nothing is sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kit-busy-'));
    const path = join(dir, 'state.sqlite');
    const state = new SqliteStateStore(path);
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE'); // another process holding the write lock, as one SIGSTOPped mid-transaction does
    try {
      const run = await runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(3)), state, retry: FAST });
      expect(run.status).toBe('refused');
      expect(run.reason?.code).toBe('sync_running');
      expect(run.reason?.message).toMatch(/Another process kept the state file .*state\.sqlite locked \(SQLITE_BUSY\).*Wait for it to finish/);
      expect(run.results.map((r) => r.code)).toEqual(['run_refused', 'run_refused', 'run_refused']);
      expect((await admin.records<Stored>()).records).toHaveLength(0);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      state.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('the lease of a killed process on this machine is taken over at once', async () => {
    const state = new MemoryStateStore();
    const { syncId } = await runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource([]), state, dryRun: true });
    // A pid that cannot be running (above the kernel's pid_max).
    await state.acquireLease(syncId, { holder: `${(await import('node:os')).hostname()}:99999999:dead`, ttlMs: 60_000 });
    const run = await runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(3)), state, retry: FAST });
    expect(run.status).toBe('completed');
  });

  it('an interrupt stops sending, lets the batch in flight finish and reports the rest as not sent (interrupted)', async () => {
    const state = new MemoryStateStore();
    await admin.setFaults([{ kind: 'latency', latencyMs: 300, method: 'POST' }]);
    const controller = new AbortController();
    const records = people(6 * TINY_MAX_BATCH);
    // Abort once the first write is on the wire (its answer is 300 ms away), however loaded the machine.
    const onRequest = (message: unknown) => {
      const method = (message as { request?: { method?: string } }).request?.method;
      if (method !== 'POST') return;
      diagnosticsChannel.unsubscribe('undici:request:create', onRequest);
      setTimeout(() => controller.abort(), 50);
    };
    diagnosticsChannel.subscribe('undici:request:create', onRequest);
    const running = runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(records), state, retry: FAST, windowSize: TINY_MAX_BATCH, signal: controller.signal });
    const summary = await running.finally(() => diagnosticsChannel.unsubscribe('undici:request:create', onRequest));
    expect(summary.status).toBe('stopped');
    expect(summary.reason?.code).toBe("interrupted");
    const created = (await admin.records<Stored>()).records.length;
    expect(created).toBe(summary.counts.created);
    expect(created).toBeGreaterThan(0); // the batch in flight finished and was recorded
    expect(summary.counts.skipped).toBe(records.length - created);
    expect(await state.count(summary.syncId)).toBe(created);
  });

  it('a Retry-After beyond the maximum wait stops the run with rate_limited (state kept), and says so while waiting within it', async () => {
    const state = new MemoryStateStore();
    await admin.setFaults([{ kind: 'rate_limit', retryAfterSec: 3600, method: 'POST', after: 1, times: 1 }]);
    const waits: number[] = [];
    const summary = await runSync({
      collectResults: true,
      destination: tinyDestination,
      config: config(),
      source: memorySource(people(3 * TINY_MAX_BATCH)),
      state,
      retry: FAST,
      windowSize: TINY_MAX_BATCH,
      maxRateLimitWaitMs: 60_000,
      onProgress: (p) => p.phase === 'waiting' && waits.push(p.waitMs ?? 0),
    });
    expect(summary.status).toBe('stopped');
    expect(summary.reason?.code).toBe('rate_limited');
    expect(summary.reason?.message).toContain('3600 s');
    expect(summary.counts.created).toBe(TINY_MAX_BATCH);
    // What was created is recorded; the refused batch left only its write-ahead marks (no destination id).
    const entries = await state.get(summary.syncId, people(3 * TINY_MAX_BATCH).map((p) => p.id));
    expect([...entries.values()].filter((e) => e.destinationId !== null && !e.pending)).toHaveLength(TINY_MAX_BATCH);
    await admin.setFaults([{ kind: 'rate_limit', retryAfterSec: 1, method: 'POST', times: 1 }]);
    const next = await runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(3 * TINY_MAX_BATCH)), state, retry: FAST, onProgress: (p) => p.phase === 'waiting' && waits.push(p.waitMs ?? 0) });
    expect(next.counts).toMatchObject({ created: 2 * TINY_MAX_BATCH, unchanged: TINY_MAX_BATCH });
    expect(waits).toEqual([1000]);
  });

  it('a 429 whose Retry-After is an HTTP-date an hour away stops the run after that one request (rate_limited, state kept); progress says stopped, never done', async () => {
    const state = new MemoryStateStore();
    await admin.setFaults([{ kind: 'retry_after', retryAfterSec: 3600, retryAfterDate: true, method: 'POST', times: 5 }]);
    const phases: string[] = [];
    // One create call (one batch): the request count is exact whatever the concurrency.
    const summary = await runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(TINY_MAX_BATCH)), state, retry: FAST, onProgress: (p) => phases.push(p.phase === 'stopped' ? `stopped:${p.code}` : p.phase) });
    expect(summary.status).toBe('stopped');
    expect(summary.reason?.code).toBe('rate_limited');
    expect(summary.reason?.message).toMatch(/asked to wait (3599|3600) s \(Retry-After, or its rate-limit headers. reset time\), longer than the 300 s/);
    const posts = (await admin.requests()).filter((e) => e.method === 'POST');
    expect(posts.map((e) => [e.status, e.fault])).toEqual([[429, 'retry_after']]);
    expect(summary.results.every((r) => r.code === 'not_sent')).toBe(true);
    expect(phases).not.toContain('done');
    expect(phases.at(-1)).toBe('stopped:rate_limited');
  });

  it('an interrupt while a request hangs: the call is abandoned after inFlightGraceMs (its signal aborted), the run ends stopped (interrupted), nothing more is sent', async () => {
    const state = new MemoryStateStore();
    await admin.setFaults([{ kind: 'timeout', latencyMs: 600_000, method: 'POST' }]);
    const controller = new AbortController();
    const running = runSync({ collectResults: true, destination: tinyDestination, config: config(), source: memorySource(people(3 * TINY_MAX_BATCH)), state, retry: FAST, windowSize: TINY_MAX_BATCH, signal: controller.signal, inFlightGraceMs: 200 });
    // The emulator counts the fault when the request arrives, and holds it for 10 minutes.
    while ((await admin.faults()).injected.timeout === 0) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const summary = await running;
    expect(summary.status).toBe('stopped');
    expect(summary.reason?.code).toBe('interrupted');
    expect(summary.reason?.message).toContain('cancelled after 200 ms without an answer');
    expect(summary.counts.skipped).toBe(3 * TINY_MAX_BATCH);
    expect((await admin.faults()).injected.timeout).toBe(1);
  }, 60_000);

  it('an unreadable row makes departures source_incomplete: nothing deleted, the guard does not refuse, and the row keeps its own code', async () => {
    const state = new MemoryStateStore();
    const records = people(20);
    const run = (source: Parameters<typeof runSync>[0]['source']) => runSync({ collectResults: true, destination: tinyDestination, config: config(), mode: 'sync', source, state, retry: FAST });
    await run(memorySource(records));
    const broken = {
      name: 'broken',
      async *open() {
        yield { kind: 'error' as const, row: 2, error: new (await import('../src/index')).InputError('malformed_row', 'Line 2: a quote opens and never closes.') };
        for (const [i, r] of records.slice(0, 5).entries()) yield { kind: 'record' as const, id: r.id, row: i + 3, snapshot: r.snapshot };
      },
    };
    const summary = await run(broken);
    expect(summary.status).toBe('completed');
    expect(summary.results.find((r) => r.row === 2)).toMatchObject({ outcome: 'failed', code: 'malformed_row' });
    expect(summary.results.filter((r) => r.code === 'source_incomplete')).toHaveLength(15);
    expect((await admin.records<Stored>()).records).toHaveLength(20);
  });
});
