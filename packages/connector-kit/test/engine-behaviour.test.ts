import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { SqliteStateStore, runSync } from '../src/index';
import { memorySource, type ConformanceRecord } from '../src/testing/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const person = (i: number, name = `Person ${i}`): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: { properties: { email: `p${i}@example.com`, name }, groups: [] },
});

describe('engine behaviour on the tiny destination', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let admin: EmulatorClient;
  let url: string;
  let state: SqliteStateStore;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await emulator.stop();
  });
  const run = (records: ConformanceRecord[], extra: Record<string, unknown> = {}) =>
    runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: url, token: TINY_TOKEN }, source: memorySource(records), state, retry: FAST, ...extra });

  it('splits a batch the API rejects as a whole until only the bad record fails', async () => {
    const records = Array.from({ length: 16 }, (_, i) => person(i, i === 11 ? 'poison' : `Person ${i}`));
    const summary = await run(records);
    expect(summary.counts).toMatchObject({ created: 15, failed: 1 });
    expect(summary.results.find((r) => r.id === 'c11')).toMatchObject({ outcome: 'failed', code: 'bad_batch', retryable: false });
    const posts = (await admin.requests()).filter((e) => e.method === 'POST' && e.path === '/records');
    // 16 → 8+8 → 4+4 → 2+2 → 1+1: the poisoned half is split four times, the clean halves go once.
    expect(posts.map((e) => (e.body as { records: unknown[] }).records.length)).toEqual([16, 8, 8, 4, 4, 2, 2, 1, 1]);
    expect((await admin.records<{ records: unknown[] }>()).records).toHaveLength(15);
  });

  it('stops on an expired token after N calls: later records are not sent, and the next run finishes them', async () => {
    await admin.setFaults([{ kind: 'auth_expired', method: 'POST', path: '^/records$', after: 1 }]);
    const records = Array.from({ length: 120 }, (_, i) => person(i));
    const first = await run(records);
    expect(first.status).toBe('stopped');
    expect(first.reason?.code).toBe('authentication_failed');
    expect(first.counts.created).toBe(50);
    expect(first.counts.skipped).toBe(70);
    expect(new Set(first.results.filter((r) => r.outcome === 'skipped').map((r) => r.code))).toEqual(new Set(['not_sent']));
    await admin.clearFaults();
    await admin.clearRequests();
    const second = await run(records);
    expect(second.status).toBe('completed');
    expect(second.counts).toMatchObject({ created: 70, unchanged: 50 });
    const posted = (await admin.requests()).filter((e) => e.method === 'POST' && e.path === '/records');
    expect(posted.flatMap((e) => (e.body as { records: { key: string }[] }).records).length).toBe(70);
  });

  it('refuses a run over the deletion guard before sending anything, and an empty source', async () => {
    const records = Array.from({ length: 30 }, (_, i) => person(i));
    await run(records, { mode: 'sync' });
    await admin.clearRequests();
    const refused = await run(records.slice(0, 20), { mode: 'sync' });
    expect(refused.status).toBe('refused');
    expect(refused.reason?.code).toBe('deletion_guard');
    expect(refused.reason?.message).toContain('guard.maxDeletes: 10');
    expect(refused.reason?.message).not.toContain('--');
    expect(refused.results.every((r) => r.code === 'run_refused')).toBe(true);
    expect(await admin.requests()).toEqual([]);
    const empty = await run([], { mode: 'additive' });
    expect(empty).toMatchObject({ status: 'refused', reason: { code: 'empty_source' } });
    const plan = await run(records.slice(0, 20), { mode: 'sync', dryRun: true });
    expect(plan).toMatchObject({ status: 'refused', reason: { code: 'deletion_guard' } });
    expect(plan.counts).toMatchObject({ deleted: 10, unchanged: 20 });
    expect((await admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
    const allowed = await run(records.slice(0, 20), { mode: 'sync', guard: { maxDeletes: 10 } });
    expect(allowed.counts).toMatchObject({ deleted: 10, unchanged: 20 });
  });

  it('plans a dry run with reasons, sending and storing nothing', async () => {
    await admin.seed({ records: [{ key: 'p1@example.com', fields: { name: 'Old' } }] });
    const summary = await run([person(1), person(2)], { mode: 'enrich', dryRun: true });
    expect(summary.results.map((r) => [r.id, r.action, r.outcome, r.code ?? null])).toEqual([
      ['c1', 'update', 'updated', null],
      ['c2', 'skip', 'skipped', 'not_found'],
    ]);
    expect((await admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
    expect(await state.count(summary.syncId)).toBe(0);
  });

  it('fails duplicate ids and duplicate match keys, all rows of them, and sends the rest', async () => {
    const summary = await run([person(1), person(2), { ...person(3), id: 'c1' }, { id: 'c9', snapshot: { properties: { email: 'P2@example.com ', name: 'x' }, groups: [] } }, person(4)]);
    expect(summary.results.map((r) => `${r.id}:${r.code ?? r.outcome}`)).toEqual([
      'c1:duplicate_record_id',
      'c2:duplicate_match_key',
      'c1:duplicate_record_id',
      'c9:duplicate_match_key',
      'c4:created',
    ]);
    expect(summary.results.find((r) => r.id === 'c9')?.message).toBe('Same email as record "c2"; each email must belong to one record. None of them was sent.');
    // Each record names another one, never itself.
    expect(summary.results.find((r) => r.id === 'c2')?.message).toBe('Same email as record "c9"; each email must belong to one record. None of them was sent.');
  });

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: a person whose row was given another row's id (duplicate_record_id) is not deleted as a departure: nothing is (source_incomplete), until every id is on one row (fifth trial of stop 28)`, async () => {
      const records = Array.from({ length: 20 }, (_, i) => person(i + 1));
      await run(records, { mode });
      await admin.clearRequests();
      // Person 20's row now says c19: c19 is on two rows and c20 is missing.
      const typo = await run([...records.slice(0, 19), { ...person(20), id: 'c19' }], { mode });
      expect(typo.results.filter((r) => r.id === 'c19').map((r) => r.code)).toEqual(['duplicate_record_id', 'duplicate_record_id']);
      expect(typo.results.find((r) => r.id === 'c20')).toMatchObject({ outcome: 'skipped', code: 'source_incomplete' });
      expect(typo.results.find((r) => r.id === 'c20')?.message).toContain('1 id(s) are on more than one row (duplicate_record_id)');
      expect((await admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
      // Fixed: c20 is back on its own row; nothing to send.
      const fixed = await run(records, { mode });
      expect(fixed.counts).toMatchObject({ unchanged: 20 });
    });
  }

  it('an unchanged record whose key (or id) a later row now shares fails with them: unchanged is decided only for unique records', async () => {
    await run([person(1), person(2)]);
    const summary = await run([person(1), person(2), { id: 'c9', snapshot: { properties: { email: 'p1@example.com', name: 'x' }, groups: [] } }, { ...person(3), id: 'c2' }]);
    expect(summary.results.map((r) => `${r.id}:${r.code ?? r.outcome}`)).toEqual(['c1:duplicate_match_key', 'c2:duplicate_record_id', 'c9:duplicate_match_key', 'c2:duplicate_record_id']);
  });

  it('names the other records of a match key shared by three, never the record itself', async () => {
    const shared = (id: string) => ({ id, snapshot: { properties: { email: 'same@example.com', name: id }, groups: [] } });
    const summary = await run([shared('a'), shared('b'), shared('c'), person(4)]);
    expect(summary.results.map((r) => `${r.id}:${r.code ?? r.outcome}`)).toEqual(['a:duplicate_match_key', 'b:duplicate_match_key', 'c:duplicate_match_key', 'c4:created']);
    expect(summary.results[0]?.message).toBe('Same email as record "b" and 1 other record(s); each email must belong to one record. None of them was sent.');
    expect(summary.results[2]?.message).toBe('Same email as record "a" and 1 other record(s); each email must belong to one record. None of them was sent.');
    expect((await admin.records<{ records: { key: string }[] }>()).records.map((r) => r.key)).toEqual(['p4@example.com']);
  });

  it('after a crash with writes in flight (entry left pending), resends full properties and groups', async () => {
    const records = [person(1), person(2)];
    const first = await run(records.map((r) => ({ ...r, snapshot: { ...r.snapshot, groups: ['alpha'] } })));
    expect(first.counts.created).toBe(2);
    // What a run that died mid-flight leaves: c1 marked pending, the destination changed behind the snapshot.
    const entry = (await state.get(first.syncId, ['c1'])).get('c1');
    if (!entry) throw new Error('no state for c1');
    await state.put(first.syncId, [{ ...entry, hash: '', pending: true, snapshot: { ...entry.snapshot, groups: ['alpha', 'beta'] } }]);
    const data = await admin.records<{ records: { id: string; key: string; fields: Record<string, string> }[]; groups: { id: string; name: string; members: string[] }[] }>();
    const c1 = data.records.find((r) => r.key === 'p1@example.com');
    if (!c1) throw new Error('c1 not in the destination');
    await admin.reset();
    await admin.seed({ records: [{ key: 'p1@example.com', fields: { name: 'Changed by the dead run' }, groups: ['beta'] }, { key: 'p2@example.com', fields: { name: 'Person 2' }, groups: ['alpha'] }] });
    await admin.clearRequests();
    const second = await run(records.map((r) => ({ ...r, snapshot: { ...r.snapshot, groups: ['alpha'] } })));
    expect(second.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['c1:updated', 'c2:unchanged']);
    const after = await admin.records<{ records: { key: string; fields: Record<string, string> }[]; groups: { name: string; members: string[] }[] }>();
    expect(after.records.find((r) => r.key === 'p1@example.com')?.fields.name).toBe('Person 1');
    const p1 = (after.records as unknown as { id: string; key: string }[]).find((r) => r.key === 'p1@example.com')?.id;
    expect(after.groups.filter((g) => g.members.includes(p1 as string)).map((g) => g.name).sort()).toEqual(['alpha']);
    expect((await state.get(second.syncId, ['c1'])).get('c1')?.pending).toBe(false);
  });

  it('fails a record whose new match key already belongs to another destination record, changing nothing', async () => {
    await run([person(1), person(2)]);
    await admin.clearRequests();
    const moved = { id: 'c1', snapshot: { properties: { email: 'p2@example.com', name: 'Person 1' }, groups: [] } };
    const summary = await run([moved]);
    expect(summary.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'failed', code: 'match_key_taken', retryable: false });
    expect((await admin.requests()).filter((e) => e.method !== 'GET')).toEqual([]);
    const data = await admin.records<{ records: { key: string }[] }>();
    expect(data.records.map((r) => r.key).sort()).toEqual(['p1@example.com', 'p2@example.com']);
  });

  it('a re-key whose update failed is retried in place on the next run (found by the key it had), never created anew', async () => {
    await run([person(1), person(2)]);
    const moved = { id: 'c1', snapshot: { properties: { email: 'p9@example.com', name: 'Person 1' }, groups: [] } };
    await admin.setFaults([{ kind: 'server_error', method: 'PATCH', path: '^/records$', rate: 1 }]);
    const failed = await run([moved, person(2)], { retry: { ...FAST, retries: 1 } });
    expect(failed.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'failed', retryable: true });
    await admin.clearFaults();
    await admin.clearRequests();
    const second = await run([moved, person(2)]);
    expect(second.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'updated' });
    expect((await admin.requests()).filter((e) => e.method === 'POST')).toEqual([]);
    const data = await admin.records<{ records: { key: string }[] }>();
    expect(data.records.map((r) => r.key).sort()).toEqual(['p2@example.com', 'p9@example.com']);
    expect((await state.get(second.syncId, ['c1'])).get('c1')).toMatchObject({ matchKey: 'p9@example.com', pending: false });
  });

  it('a re-key that reached the destination but not the state is found by its new key when the old key now finds someone else', async () => {
    const first = await run([person(1), person(2)]);
    const before = (await state.get(first.syncId, ['c1'])).get('c1');
    if (!before) throw new Error('no state');
    const moved = { id: 'c1', snapshot: { properties: { email: 'p9@example.com', name: 'Person 1' }, groups: [] } };
    await run([moved, person(2)]);
    // As if the state write after the re-key failed: the write-ahead mark (previous key) is all it holds.
    await state.put(first.syncId, [{ ...before, hash: '', pending: true }]);
    // Someone makes a record with the old email.
    await admin.seed({ records: [{ key: 'p1@example.com', fields: { name: 'someone else' } }] });
    await admin.clearRequests();
    const again = await run([moved, person(2)]);
    expect(again.results.find((r) => r.id === 'c1')).toMatchObject({ outcome: 'updated', destinationId: before.destinationId });
    const writes = (await admin.requests()).filter((e) => e.method !== 'GET');
    expect(writes.map((e) => `${e.method} ${JSON.stringify(e.body)}`).join(' ')).not.toContain('someone');
    expect(writes.filter((e) => e.method === 'POST')).toEqual([]);
    const data = await admin.records<{ records: { id: string; key: string; fields: Record<string, string> }[] }>();
    expect(data.records.find((r) => r.key === 'p1@example.com')?.fields.name).toBe('someone else');
    expect((await state.get(first.syncId, ['c1'])).get('c1')).toMatchObject({ matchKey: 'p9@example.com', destinationId: before.destinationId, pending: false });
  });

  it('keeps a pending record pending until its group changes are acknowledged, even when the held groups already name them', async () => {
    const first = await run([{ ...person(1), snapshot: { ...person(1).snapshot, groups: ['alpha'] } }]);
    const entry = (await state.get(first.syncId, ['c1'])).get('c1');
    if (!entry) throw new Error('no state');
    // A run died after adding c1 to beta was planned (held) but before it was sent.
    await state.put(first.syncId, [{ ...entry, hash: '', pending: true, snapshot: { ...entry.snapshot, groups: ['alpha', 'beta'] } }]);
    // This run's update is acknowledged, then the token expires before any group call.
    await admin.setFaults([{ kind: 'auth_expired', path: '^/groups' }]);
    const changed = { id: 'c1', snapshot: { properties: { email: 'p1@example.com', name: 'Renamed' }, groups: ['alpha', 'beta'] } };
    const stopped = await run([changed]);
    expect(stopped.status).toBe('stopped');
    expect((await state.get(first.syncId, ['c1'])).get('c1')?.pending).toBe(true);
    await admin.clearFaults();
    const healed = await run([changed]);
    expect(healed.status).toBe('completed');
    const data = await admin.records<{ records: { id: string; key: string }[]; groups: { name: string; members: string[] }[] }>();
    const id = data.records.find((r) => r.key === 'p1@example.com')?.id as string;
    expect(data.groups.filter((g) => g.members.includes(id)).map((g) => g.name).sort()).toEqual(['alpha', 'beta']);
    expect((await state.get(first.syncId, ['c1'])).get('c1')?.pending).toBe(false);
  });
});
