import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { MemoryStateStore, SYNC_MODES, runSync, type SyncMode } from '../src/index';
import { memorySource, perTestEmulator, type ConformanceRecord } from '../src/testing/index';
import { tinyAudienceDestination, createTinyAudienceEmulator, TINY_AUDIENCE_TOKEN } from './tiny/tiny-audience';
import { startTiny } from './tiny/start-tiny';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const rec = (id: string, email: string, name = id, groups: string[] = []): ConformanceRecord => ({ id, snapshot: { properties: { email, name }, groups } });
/** Deleting one of two records is allowed here (the deletion guard's share would refuse it). */
const GUARD = { guard: { maxDeletes: 10 } };
type Stored = { records: { id: string; key: string; fields: Record<string, string> }[] };

describe('never touching the wrong record (tiny destination)', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let admin: EmulatorClient;
  let url: string;
  let state: MemoryStateStore;
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
    state = new MemoryStateStore();
  });
  afterEach(async () => {
    await emulator.stop();
  });
  const run = (mode: SyncMode, records: ConformanceRecord[], extra: Record<string, unknown> = {}) =>
    runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: url, token: TINY_TOKEN }, mode, source: memorySource(records), state, retry: FAST, ...extra });
  const writes = async () => (await admin.requests()).filter((e) => e.method !== 'GET');

  for (const mode of SYNC_MODES) {
    it(`${mode}: a key matching two or three destination records fails alone (ambiguous_match, naming every id) and nothing is written to any of them`, async () => {
      await admin.seed({ records: [{ key: 'dup@example.com', fields: { name: 'one' } }, { key: 'dup@example.com', fields: { name: 'two' } }] });
      await admin.seed({ records: [{ key: 'tri@example.com', fields: { name: 'a' } }, { key: 'tri@example.com', fields: { name: 'b' } }, { key: 'tri@example.com', fields: { name: 'c' } }] });
      await admin.seed({ records: [{ key: 'solo@example.com', fields: { name: 'old' } }] });
      await admin.clearRequests();
      const summary = await run(mode, [rec('d', 'DUP@example.com', 'new'), rec('t', 'tri@example.com', 'new'), rec('s', 'solo@example.com', 'new')]);
      const byId = new Map(summary.results.map((r) => [r.id, r]));
      expect(byId.get('d')).toMatchObject({ outcome: 'failed', code: 'ambiguous_match', retryable: false });
      expect(byId.get('d')?.message).toContain('2 Tiny records have this email (r1, r2)');
      expect(byId.get('t')?.message).toContain('3 Tiny records have this email (r3, r4, r5)');
      expect(byId.get('s')).toMatchObject({ outcome: 'updated' });
      const stored = await admin.records<Stored>();
      expect(stored.records.filter((r) => r.key !== 'solo@example.com').map((r) => r.fields.name)).toEqual(['one', 'two', 'a', 'b', 'c']);
      // The only write is the update of the unambiguous record.
      expect((await writes()).map((e) => `${e.method} ${e.path} ${JSON.stringify(e.body)}`)).toEqual([
        `PATCH /records ${JSON.stringify({ records: [{ id: 'r6', key: 'solo@example.com', fields: { name: 'new' } }] })}`,
      ]);
    });
  }

  it('a key matching several records, one of which this sync wrote before, updates that one (its state says which)', async () => {
    const first = await run('sync', [rec('a', 'a@example.com', 'first')]);
    expect(first.counts.created).toBe(1);
    await admin.seed({ records: [{ key: 'a@example.com', fields: { name: 'hand-made duplicate' } }] });
    const second = await run('sync', [rec('a', 'a@example.com', 'second')]);
    expect(second.results[0]).toMatchObject({ outcome: 'updated', destinationId: 'r1' });
    expect((await admin.records<Stored>()).records.map((r) => r.fields.name)).toEqual(['second', 'hand-made duplicate']);
  });

  // Verify (state faults, a sample of seed 30075, tiny/sync): the new key also found a copy someone made of the departed
  // person's record, so the row that took that key with her name was refused without claiming her record, which was deleted.
  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: a tracked row takes the email and name of a record that left, while a copy shares that email: the row is refused (match_key_taken) and the departed record kept, never deleted or emptied`, async () => {
      const row = (id: string, email: string, name: string, city: string | null) => ({ id, snapshot: { properties: { email, name, city }, groups: id === 'a' ? ['vip'] : [] } });
      await run(mode, [row('a', 'ada@example.com', 'Ada Lovelace', 'Paris'), row('b', 'bob@example.com', 'Bob Kahn', null)], GUARD);
      await admin.seed({ records: [{ key: 'ada@example.com', fields: { name: 'Ada Lovelace (copy)' } }] });
      // Her name, not her city: it does not describe her (the value rules), but it took a value of hers with her email.
      const summary = await run(mode, [row('b', 'ada@example.com', 'Ada Lovelace', null)], GUARD);
      const byId = new Map(summary.results.map((r) => [r.id, r]));
      expect(byId.get('b')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
      expect(byId.get('a')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect((await admin.records<Stored>()).records.filter((r) => r.key === 'ada@example.com').map((r) => r.fields.name).sort()).toEqual(['Ada Lovelace', 'Ada Lovelace (copy)']);
      expect((await writes()).filter((e) => e.method === 'DELETE')).toEqual([]);
    });
  }

  // Fresh reviewer 136: the advice after such a refusal is to delete the departed record in Tiny; with it gone, its departure
  // found the copy by email and deleted it (deletePolicy 'matched') or took it over; and "the next run sends this change" was
  // promised while the copy still held the email.
  for (const deletePolicy of ['matched', 'owned'] as const) {
    it(`sync (${deletePolicy}): after the departed record is deleted in Tiny, its departure never takes the copy that has its email; the row stays refused with the plain advice`, async () => {
      const row = (id: string, email: string, name: string, city: string | null) => ({ id, snapshot: { properties: { email, name, city }, groups: [] } });
      const options = { ...GUARD, deletePolicy };
      await run('sync', [row('a', 'ada@example.com', 'Ada Lovelace', 'Paris'), row('b', 'bob@example.com', 'Bob Kahn', null)], options);
      await admin.seed({ records: [{ key: 'ada@example.com', fields: { name: 'Ada Lovelace (copy)' } }] });
      const refused = new Map((await run('sync', [row('b', 'ada@example.com', 'Ada Lovelace', null)], options)).results.map((r) => [r.id, r]));
      expect(refused.get('b')?.message).not.toMatch(/next run sends/);
      const own = (await admin.records<Stored>()).records.find((r) => r.key === 'ada@example.com' && r.fields.name === 'Ada Lovelace');
      await fetch(`${url}/records?ids=${own?.id ?? ''}`, { method: 'DELETE', headers: { authorization: `Bearer ${TINY_TOKEN}` } });
      const next = new Map((await run('sync', [row('b', 'ada@example.com', 'Ada Lovelace', null)], options)).results.map((r) => [r.id, r]));
      // Its own record is gone (Tiny's lookups are consistent): forgotten, the copy someone else's.
      expect(next.get('a')).toMatchObject({ outcome: 'skipped', code: 'not_found' });
      expect(next.get('a')?.message).toMatch(/no longer finds the Tiny record this sync wrote .*any other record with it is someone else's\. Forgotten; nothing was changed/);
      expect(next.get('b')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
      expect(next.get('b')?.message).not.toMatch(/which this sync wrote/);
      expect((await admin.records<Stored>()).records.filter((r) => r.key === 'ada@example.com').map((r) => r.fields.name)).toEqual(['Ada Lovelace (copy)']);
    });
  }

  for (const [mode, copies] of [['sync', 1], ['additive', 1], ['sync', 2]] as const) {
    it(`${mode} (matched): a record whose own destination record was deleted in Tiny leaves the source while ${copies === 1 ? 'a copy has' : 'two copies have'} its email: ${copies === 1 ? 'the copy is' : 'they are'} left as ${copies === 1 ? 'it is' : 'they are'}; the departure is forgotten (not_found${copies === 2 ? ', not ambiguous_match on every run: fresh reviewer 137, F4, and fresh trial 139, F2' : ''})`, async () => {
      await run(mode, [rec('a', 'ada@example.com', 'Ada Lovelace', ['vip']), rec('z', 'z@example.com', 'Zed Zee')], { ...GUARD, deletePolicy: 'matched' });
      const own = (await admin.records<Stored>()).records.find((r) => r.key === 'ada@example.com');
      await fetch(`${url}/records?ids=${own?.id ?? ''}`, { method: 'DELETE', headers: { authorization: `Bearer ${TINY_TOKEN}` } });
      for (let c = 0; c < copies; c++) await admin.seed({ records: [{ key: 'ada@example.com', fields: { name: 'Ada Lovelace (copy)' }, groups: ['vip'] }] });
      await admin.clearRequests();
      const summary = await run(mode, [rec('z', 'z@example.com', 'Zed Zee')], { ...GUARD, deletePolicy: 'matched' });
      const left = new Map(summary.results.map((r) => [r.id, r]));
      expect(left.get('a')).toMatchObject({ outcome: 'skipped', code: 'not_found' });
      expect(await writes()).toEqual([]);
      expect((await state.get(summary.syncId, ['a'])).get('a')).toBeUndefined();
      expect((await admin.records<Stored>()).records.filter((r) => r.key === 'ada@example.com').map((r) => r.fields.name)).toEqual(Array.from({ length: copies }, () => 'Ada Lovelace (copy)'));
    });
  }

  it('two source records resolving to one destination record: the later fails naming the first (duplicate_destination_record); the first, whose key moved to the later one, is refused too (the ids look reused)', async () => {
    await run('additive', [rec('a', 'a@example.com', 'Ann')]);
    await admin.clearRequests();
    // a moves to a new email, and a new record b arrives with a's old email: both resolve to r1.
    const summary = await run('additive', [rec('b', 'a@example.com', 'Bob'), rec('a', 'a2@example.com', 'Ann')]);
    const byId = new Map(summary.results.map((r) => [r.id, r]));
    expect(byId.get('b')).toMatchObject({ outcome: 'failed', code: 'duplicate_destination_record', destinationId: 'r1' });
    expect(byId.get('b')?.message).toContain('record "a"');
    // The keys already differ: the advice says how to make both changes, not to give them different keys (eighth trial of stop 28).
    expect(byId.get('b')?.message).toContain('If "a" changed its email and this is someone new with its old one, send the two changes in separate runs ("a"\'s first)');
    // Read by key, r1 is b's person and a someone new (the id was reused): never guessed (trial of stop 25).
    expect(byId.get('a')).toMatchObject({ outcome: 'failed', code: 'match_key_taken' });
    expect(byId.get('a')?.message).toContain('record "b"');
    const stored = await admin.records<Stored>();
    expect(stored.records).toEqual([{ id: 'r1', key: 'a@example.com', fields: { name: 'Ann' } }]);
  });

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: a record whose id changed while its match key stayed is never deleted as a departure; the new id owns it`, async () => {
      if (mode === 'enrich') await admin.seed({ records: [{ key: 'p@example.com', fields: { name: 'Pat' } }, { key: 'o@example.com', fields: { name: 'other' } }] });
      const first = await run(mode, [rec('old-id', 'p@example.com', 'Pat', ['vip']), rec('other', 'o@example.com')]);
      expect(first.counts.failed).toBe(0);
      await admin.clearRequests();
      const second = await run(mode, [rec('new-id', 'p@example.com', 'Pat', ['vip']), rec('other', 'o@example.com')]);
      const byId = new Map(second.results.map((r) => [r.id, r]));
      expect(byId.get('old-id')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(byId.get('new-id')?.outcome).toMatch(/updated|unchanged/);
      expect((await writes()).filter((e) => e.method === 'DELETE')).toEqual([]);
      expect((await admin.records<Stored & { groups: { name: string; members: string[] }[] }>()).groups.find((g) => g.name === 'vip')?.members).toEqual(['r1']);
      expect((await admin.records<Stored>()).records.map((r) => r.key)).toContain('p@example.com');
      // The re-key is recorded: the old id is forgotten, the new id holds the record (and its ownership).
      const entries = await state.get(second.syncId, ['old-id', 'new-id']);
      expect(entries.has('old-id')).toBe(false);
      expect(entries.get('new-id')).toMatchObject({ destinationId: 'r1', owned: mode !== 'enrich' });
      const third = await run(mode, [rec('new-id', 'p@example.com', 'Pat', ['vip']), rec('other', 'o@example.com')]);
      expect(third.counts).toMatchObject({ unchanged: 2, failed: 0 });
      if (mode === 'sync') {
        // Ownership moved with the re-key: when the new id leaves, sync mode deletes the record.
        const fourth = await run(mode, [rec('other', 'o@example.com')], { guard: { maxDeletes: 10 } });
        expect(fourth.results.find((r) => r.id === 'new-id')).toMatchObject({ outcome: 'deleted', destinationId: 'r1' });
      }
    });
  }

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: a row whose email changed and that now carries the name of a record leaving the source is refused (identity_unclear) and that record is kept; nothing is written (fifth trial of stop 28)`, async () => {
      await run(mode, [rec('id1', 'barbara@example.com', 'Barbara Liskov'), rec('id2', 'ada@example.com', 'Ada Lovelace')]);
      await admin.clearRequests();
      // id1 left; id2 now has a new email and Barbara's name: Barbara under a reused id, or Ada renamed?
      const unclear = await run(mode, [rec('id2', 'barbara.new@example.com', 'Barbara Liskov')], GUARD);
      const byId = new Map(unclear.results.map((r) => [r.id, r]));
      expect(byId.get('id2')).toMatchObject({ outcome: 'failed', code: 'identity_unclear', destinationId: 'r2' });
      expect(byId.get('id2')?.message).toContain('record "id1" (Tiny record r1), which left the source');
      expect(byId.get('id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(byId.get('id1')?.message).toContain('which is in the source, carries its values (or found this record) under another email: kept as it is');
      expect(await writes()).toEqual([]);
      expect((await admin.records<Stored>()).records.map((r) => [r.id, r.key, r.fields.name])).toEqual([
        ['r1', 'barbara@example.com', 'Barbara Liskov'],
        ['r2', 'ada@example.com', 'Ada Lovelace'],
      ]);
      // The same source again: the same answer, still nothing written.
      const again = await run(mode, [rec('id2', 'barbara.new@example.com', 'Barbara Liskov')], GUARD);
      expect(again.results.find((r) => r.id === 'id2')).toMatchObject({ code: 'identity_unclear' });
      expect(await writes()).toEqual([]);
      // The source gives Barbara her id back: her record gets the new email; id2 (Ada) left.
      const fixed = await run(mode, [rec('id1', 'barbara.new@example.com', 'Barbara Liskov')], GUARD);
      expect(fixed.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'updated', destinationId: 'r1' });
      expect(fixed.results.find((r) => r.id === 'id2')).toMatchObject(mode === 'sync' ? { outcome: 'deleted', destinationId: 'r2' } : { outcome: 'skipped', code: 'delete_not_allowed' });
      expect((await admin.records<Stored>()).records.filter((r) => r.id === 'r1').map((r) => r.key)).toEqual(['barbara.new@example.com']);
    });
  }

  it('sync: new ids that each take a departing record\'s email with the other departing record\'s name (ids renumbered, emails swapped) are refused (identity_unclear); both records are kept, nothing written', async () => {
    await run('sync', [rec('id1', 'ann@example.com', 'Ann Able'), rec('id2', 'bob@example.com', 'Bob Baker')]);
    await admin.clearRequests();
    const renumbered = await run('sync', [rec('id3', 'bob@example.com', 'Ann Able'), rec('id4', 'ann@example.com', 'Bob Baker')], GUARD);
    expect(renumbered.results.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['id1:rekeyed', 'id2:rekeyed', 'id3:identity_unclear', 'id4:identity_unclear']);
    expect(renumbered.results.find((r) => r.id === 'id3')?.message).toContain('It has the email of record "id2", which left the source, but the other values of record "id1" (Tiny record r1)');
    expect(await writes()).toEqual([]);
    // Renumbered without the swap: each new id is the person its email says, and takes the record over (written once: no state yet).
    const plain = await run('sync', [rec('id3', 'ann@example.com', 'Ann Able'), rec('id4', 'bob@example.com', 'Bob Baker')], GUARD);
    expect(plain.results.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['id1:rekeyed', 'id2:rekeyed', 'id3:updated', 'id4:updated']);
  });

  it('sync: an id given to someone new while its person moved to another id with a new email: both rows refused (identity_unclear), nothing written (sixth trial of stop 28)', async () => {
    await run('sync', [rec('id1', 'barbara@example.com', 'Barbara Liskov'), rec('id2', 'ada@example.com', 'Ada Lovelace')]);
    await admin.clearRequests();
    const reused = await run('sync', [rec('id2', 'barbara.new@example.com', 'Barbara Liskov'), rec('id1', 'carl@example.com', 'Carl Cobb')], GUARD);
    expect(reused.results.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['id1:identity_unclear', 'id2:identity_unclear']);
    expect(await writes()).toEqual([]);
    // Two people who both change their email keep their own names: both updated.
    const emails = await run('sync', [rec('id1', 'barbara.new@example.com', 'Barbara Liskov'), rec('id2', 'ada.new@example.com', 'Ada Lovelace')], GUARD);
    expect(emails.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['id1:updated', 'id2:updated']);
  });

  it('sync: a row refused for a key move (match_key_taken) that carries a departing record\'s values still keeps that record (sixth trial of stop 28)', async () => {
    await run('sync', [rec('id1', 'alan@example.com', 'Alan Turing'), rec('id2', 'donald@example.com', 'Donald Knuth'), rec('id3', 'edsger@example.com', 'Edsger Dijkstra')]);
    await admin.clearRequests();
    const moved = await run('sync', [rec('id1', 'edsger@example.com', 'Edsger Dijkstra'), rec('id3', 'alan@example.com', 'Donald Knuth')], GUARD);
    expect(moved.results.map((r) => `${r.id}:${r.code ?? r.outcome}`).sort()).toEqual(['id1:match_key_taken', 'id2:rekeyed', 'id3:match_key_taken']);
    expect(await writes()).toEqual([]);
    expect((await admin.records<Stored>()).records.map((r) => r.fields.name)).toEqual(['Alan Turing', 'Donald Knuth', 'Edsger Dijkstra']);
  });

  it('sync: a row whose email changed and whose one other new value (a plan) is a departing record\'s is an ordinary change: updated, and the departed record deleted (sixth trial of stop 28)', async () => {
    const person = (id: string, email: string, name: string, plan: string): ConformanceRecord => ({ id, snapshot: { properties: { email, name, plan }, groups: [] } });
    await run('sync', [person('mary', 'mary@example.com', 'Smith', 'Gold'), person('john', 'john@example.com', 'Smith', 'Silver')]);
    const next = await run('sync', [person('john', 'john.new@example.com', 'Smith', 'Gold')], GUARD);
    expect(next.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['john:updated', 'mary:deleted']);
  });

  it('sync: a person back under a new id and email while a new id takes her old email with other values: that row is refused (identity_unclear) and her record kept (seventh trial of stop 28)', async () => {
    await run('sync', [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
    await admin.clearRequests();
    const back = await run('sync', [rec('id2', 'ada.n@example.com', 'Ada Lovelace'), rec('id3', 'ada@example.com', 'Alan Turing'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
    const byId = new Map(back.results.map((r) => [r.id, r]));
    expect(byId.get('id3')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
    expect(byId.get('id3')?.message).toContain('Row "id2" has its other values');
    expect(byId.get('id2')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
    expect(byId.get('id2')?.message).toContain('Row "id3" now has its email');
    expect(byId.get('id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    expect(await writes()).toEqual([]);
    // The rerun decides the same (had id2 been created, the rerun would have handed Ada's record to id3).
    const again = await run('sync', [rec('id2', 'ada.n@example.com', 'Ada Lovelace'), rec('id3', 'ada@example.com', 'Alan Turing'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
    expect(again.results.filter((r) => r.code === 'identity_unclear').map((r) => r.id).sort()).toEqual(['id2', 'id3']);
    expect(await writes()).toEqual([]);
    expect((await admin.records<Stored>()).records.map((r) => [r.key, r.fields.name])).toEqual([
      ['ada@example.com', 'Ada Lovelace'],
      ['kim@example.com', 'Kim Park'],
    ]);
  });

  it('sync: a departing record whose values a new row refused for another reason (duplicate_destination_record) carries is kept, every run (seventh trial of stop 28, G6)', async () => {
    await run('sync', [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id2', 'grace@example.com', 'Grace Hopper'), rec('id9', 'kim@example.com', 'Kim Park')]);
    for (let i = 0; i < 2; i++) {
      const next = await run('sync', [rec('id2', 'grace.2@example.com', 'Grace Hopper'), rec('id3', 'grace@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
      expect(next.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(next.results.find((r) => r.id === 'id3')?.outcome).toBe('failed');
      expect((await admin.records<Stored>()).records.find((r) => r.id === 'r1')).toMatchObject({ key: 'ada@example.com', fields: { name: 'Ada Lovelace' } });
    }
  });

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: a person back under a new id and a new email with her other values: the new row is created, her old record is kept and no longer tracked, and no later run deletes it (seventh trial of stop 28, G3)`, async () => {
      await run(mode, [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
      const back = await run(mode, [rec('id2', 'ada.n@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
      const byId = new Map(back.results.map((r) => [r.id, r]));
      expect(byId.get('id2')).toMatchObject({ outcome: 'created', destinationId: 'r3' });
      expect(byId.get('id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed', destinationId: 'r1' });
      expect(byId.get('id1')?.message).toContain('no longer tracked by this sync');
      expect(await state.count(back.syncId)).toBe(2);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const later = await run(mode, [rec('id2', 'ada.n@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
        expect(later.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['id2:unchanged', 'id9:unchanged']);
      }
      expect(await writes()).toEqual([]);
      expect((await admin.records<Stored>()).records.map((r) => [r.id, r.key, r.fields.name])).toEqual([
        ['r1', 'ada@example.com', 'Ada Lovelace'],
        ['r2', 'kim@example.com', 'Kim Park'],
        ['r3', 'ada.n@example.com', 'Ada Lovelace'],
      ]);
    });
  }

  // CI of stop 51 (verify quick, seed 110057374, tiny/sync 110057774#0): the departure's lookup failed after every retry in
  // the run that created the new row; a run later that row had state, was no longer new, and the departure went ahead.
  it('sync: the same, when the departing record\'s lookup fails in that run: it is still released (nothing needed the lookup), and no later run deletes it or takes it out of its groups', async () => {
    await run('sync', [rec('id1', 'ada@example.com', 'Ada Lovelace', ['vip']), rec('id9', 'kim@example.com', 'Kim Park')]);
    await admin.setFaults([{ kind: 'server_error', method: 'GET', path: '^/records$', query: '^ada@example\\.com$', rate: 1 }]);
    const back = await run('sync', [rec('id2', 'ada.n@example.com', 'Ada Lovelace', ['vip']), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
    await admin.setFaults([]);
    expect((await admin.requests()).filter((e) => e.fault !== undefined).length).toBeGreaterThan(0);
    const byId = new Map(back.results.map((r) => [r.id, r]));
    expect(byId.get('id2')).toMatchObject({ outcome: 'created' });
    expect(byId.get('id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed', destinationId: 'r1' });
    expect(byId.get('id1')?.message).toContain('no longer tracked by this sync');
    await admin.clearRequests();
    for (let i = 0; i < 2; i++) {
      const later = await run('sync', [rec('id2', 'ada.n@example.com', 'Ada Lovelace', ['vip']), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
      expect(later.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['id2:unchanged', 'id9:unchanged']);
    }
    expect(await writes()).toEqual([]);
    expect((await admin.records<Stored>()).records.map((r) => r.key)).toEqual(['ada@example.com', 'kim@example.com', 'ada.n@example.com']);
    const vip = (await admin.records<Stored & { groups: { name: string; members: string[] }[] }>()).groups.find((g) => g.name === 'vip');
    expect(vip?.members).toEqual(['r1', byId.get('id2')?.destinationId]);
  });

  it('sync: a departing record whose lookup fails while no new row carries its values still fails retryably and stays tracked; the next run deletes it', async () => {
    await run('sync', [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
    await admin.setFaults([{ kind: 'server_error', method: 'GET', path: '^/records$', query: '^ada@example\\.com$', rate: 1 }]);
    const failed = await run('sync', [rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
    await admin.setFaults([]);
    expect(failed.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'failed', retryable: true });
    const next = await run('sync', [rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
    expect(next.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'deleted' });
  });

  it('sync: a departing record that a refused row describes stays tracked even when a new row with its values is created: every run keeps it (seventh trial of stop 28, G3)', async () => {
    await run('sync', [rec('id1', 'barbara@example.com', 'Barbara Liskov'), rec('id2', 'ada@example.com', 'Ada Lovelace')]);
    for (let i = 0; i < 2; i++) {
      const next = await run('sync', [rec('id2', 'barbara.new@example.com', 'Barbara Liskov'), rec('id5', 'b.liskov@example.com', 'Barbara Liskov')], GUARD);
      const byId = new Map(next.results.map((r) => [r.id, r]));
      expect(byId.get('id2')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
      expect(byId.get('id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(byId.get('id1')?.message).toContain('still tracked under this id');
    }
    expect((await admin.records<Stored>()).records.map((r) => [r.id, r.key, r.fields.name])).toEqual([
      ['r1', 'barbara@example.com', 'Barbara Liskov'],
      ['r2', 'ada@example.com', 'Ada Lovelace'],
      ['r3', 'b.liskov@example.com', 'Barbara Liskov'],
    ]);
  });

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: an id reused for someone new (its email kept) while its person is back under a new id and email: both rows refused (identity_unclear), nothing written, every run; the changes sent in two runs go through (seventh trial of stop 28, G1 with the id reused)`, async () => {
      await run(mode, [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
      await admin.clearRequests();
      const reused = [rec('id1', 'ada@example.com', 'Alan Turing'), rec('id2', 'ada.n@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')];
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, reused, GUARD);
        const byId = new Map(next.results.map((r) => [r.id, r]));
        expect(byId.get('id1')).toMatchObject({ outcome: 'failed', code: 'identity_unclear', destinationId: 'r1' });
        expect(byId.get('id1')?.message).toContain('Its values changed, and new row "id2" now carries the last values of record "id1" (Tiny record r1)');
        expect(byId.get('id2')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(byId.get('id2')?.message).toContain('give row "id2" the id "id1" back');
        expect(await writes()).toEqual([]);
      }
      // Both changes real: the rename first, then the new row.
      expect((await run(mode, [rec('id1', 'ada@example.com', 'Alan Turing'), rec('id9', 'kim@example.com', 'Kim Park')])).results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'updated' });
      expect((await run(mode, reused)).results.find((r) => r.id === 'id2')).toMatchObject({ outcome: 'created' });
    });
  }

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: an id reused for someone new with a new email while its person is back under a new id and email: both rows refused (identity_unclear), her record untouched, every run (ninth trial of stop 28)`, async () => {
      await run(mode === 'enrich' ? 'additive' : mode, [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, [rec('id1', 'alan@example.com', 'Alan Turing'), rec('id2', 'ada.n@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
        const byId = new Map(next.results.map((r) => [r.id, r]));
        expect(byId.get('id1')).toMatchObject({ outcome: 'failed', code: 'identity_unclear', destinationId: 'r1' });
        expect(byId.get('id1')?.message).toContain('Its values changed, and new row "id2" now carries the last values of record "id1" (Tiny record r1)');
        expect(byId.get('id2')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(await writes()).toEqual([]);
      }
      expect((await admin.records<Stored>()).records.map((r) => [r.id, r.key, r.fields.name])).toEqual([
        ['r1', 'ada@example.com', 'Ada Lovelace'],
        ['r2', 'kim@example.com', 'Kim Park'],
      ]);
    });
  }

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: a row that keeps its id and email but takes the name of a record leaving the source, while its own person is back under a new id and email: both refused (identity_unclear), the record that left is kept, nothing written, every run`, async () => {
      await run(mode, [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id2', 'bob@example.com', 'Bob Moses'), rec('id9', 'kim@example.com', 'Kim Park')]);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, [rec('id1', 'ada@example.com', 'Bob Moses'), rec('id3', 'ada.n@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
        const byId = new Map(next.results.map((r) => [r.id, r]));
        expect(byId.get('id1')).toMatchObject({ outcome: 'failed', code: 'identity_unclear', destinationId: 'r1' });
        expect(byId.get('id1')?.message).toContain('Its email stayed but its other values are now those of record "id2" (Tiny record r2), which left the source');
        expect(byId.get('id3')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(byId.get('id2')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
        expect(await writes()).toEqual([]);
      }
      expect((await admin.records<Stored>()).records.map((r) => [r.id, r.key, r.fields.name])).toEqual([
        ['r1', 'ada@example.com', 'Ada Lovelace'],
        ['r2', 'bob@example.com', 'Bob Moses'],
        ['r3', 'kim@example.com', 'Kim Park'],
      ]);
    });
  }

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: a record taking the email of one whose row has no email (missing_match_key) waits (match_key_taken), never two records with one email; the changes go through in two runs (ninth trial of stop 28)`, async () => {
      await run(mode === 'enrich' ? 'additive' : mode, [rec('a', 'ann@example.com', 'Ann'), rec('b', 'bob@example.com', 'Bob')]);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, [rec('a', 'bob@example.com', 'Ann'), rec('b', '', 'Bob')]);
        expect(next.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`).sort()).toEqual(['a:failed:match_key_taken', 'b:failed:missing_match_key']);
        expect(next.results.find((r) => r.id === 'a')?.message).toContain('which this sync wrote for record "b": that record gives this key up, but its own change was refused in this run');
        expect(await writes()).toEqual([]);
      }
      // Sent in two runs, as the refusal says (one record taking the key another gives up in the same run reads as a shift).
      expect((await run(mode, [rec('a', 'ann@example.com', 'Ann'), rec('b', 'bobby@example.com', 'Bob')])).results.find((r) => r.id === 'b')).toMatchObject({ outcome: 'updated' });
      expect((await run(mode, [rec('a', 'bob@example.com', 'Ann'), rec('b', 'bobby@example.com', 'Bob')])).results.find((r) => r.id === 'a')).toMatchObject({ outcome: 'updated' });
      expect((await admin.records<Stored>()).records.map((r) => [r.key, r.fields.name]).sort()).toEqual([['bob@example.com', 'Ann'], ['bobby@example.com', 'Bob']]);
    });
  }

  it('sync: a person renumbered whose new row has a colleague\'s email (duplicate_match_key) is not deleted: her record kept (rekeyed), every run (ninth trial of stop 28)', async () => {
    await run('sync', [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
    await admin.clearRequests();
    for (let i = 0; i < 2; i++) {
      const next = await run('sync', [rec('id7', 'kim@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
      expect(next.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`).sort()).toEqual(['id1:skipped:rekeyed', 'id7:failed:duplicate_match_key', 'id9:failed:duplicate_match_key']);
      expect(await writes()).toEqual([]);
    }
    expect((await admin.records<Stored>()).records.map((r) => [r.key, r.fields.name])).toEqual([['ada@example.com', 'Ada Lovelace'], ['kim@example.com', 'Kim Park']]);
  });

  it('sync: two records that keep their emails but swap every other value (name and plan) are refused (identity_unclear), nothing written; two that only swap plans and cities are updated', async () => {
    const person = (id: string, email: string, name: string, plan: string, city = 'Paris'): ConformanceRecord => ({ id, snapshot: { properties: { email, name, plan, city }, groups: [] } });
    await run('sync', [person('a', 'ann@example.com', 'Ann Able', 'Gold'), person('b', 'bob@example.com', 'Bob Baker', 'Silver', 'Lyon')]);
    await admin.clearRequests();
    const swapped = await run('sync', [person('a', 'ann@example.com', 'Bob Baker', 'Silver', 'Lyon'), person('b', 'bob@example.com', 'Ann Able', 'Gold')]);
    expect(swapped.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`).sort()).toEqual(['a:failed:identity_unclear', 'b:failed:identity_unclear']);
    expect(swapped.results.find((r) => r.id === 'a')?.message).toContain('Its values outside the match key are now the last values (all, or all but one) of record "b"');
    expect(await writes()).toEqual([]);
    const churn = await run('sync', [person('a', 'ann@example.com', 'Ann Able', 'Silver', 'Lyon'), person('b', 'bob@example.com', 'Bob Baker', 'Gold')]);
    expect(churn.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['a:updated', 'b:updated']);
  });

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: a swap of every other value plus one ordinary edit is refused too (identity_unclear, nothing written, every run); a plan-and-city swap where one name changed is updated (ninth trial of stop 28)`, async () => {
      const person = (id: string, email: string, name: string, plan: string, city: string): ConformanceRecord => ({ id, snapshot: { properties: { email, name, plan, city }, groups: [] } });
      await run(mode === 'enrich' ? 'additive' : mode, [person('a', 'ann@example.com', 'Ann Able', 'Gold', 'Paris'), person('b', 'bob@example.com', 'Bob Baker', 'Silver', 'Lyon')]);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const swapped = await run(mode, [person('a', 'ann@example.com', 'Bob Baker', 'Silver', 'Nice'), person('b', 'bob@example.com', 'Ann Able', 'Gold', 'Paris')]);
        expect(swapped.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`).sort()).toEqual(['a:failed:identity_unclear', 'b:failed:identity_unclear']);
        expect(await writes()).toEqual([]);
      }
      const churn = await run(mode, [person('a', 'ann@example.com', 'Ann Able-Smith', 'Silver', 'Lyon'), person('b', 'bob@example.com', 'Bob Baker', 'Gold', 'Paris')]);
      expect(churn.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['a:updated', 'b:updated']);
    });
  }

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: a row that now holds another record's last row while that record's row changed every value (a swap plus two edits) is refused with it; a person changing every value while a newcomer joins is updated (tenth trial of stop 28)`, async () => {
      const person = (id: string, email: string, name: string, phone: string, city: string): ConformanceRecord => ({ id, snapshot: { properties: { email, name, phone, city }, groups: [] } });
      await run(mode === 'enrich' ? 'additive' : mode, [person('a', 'ann@example.com', 'Ann Able', '111', 'Paris'), person('b', 'bob@example.com', 'Bob Baker', '222', 'Lyon')]);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const swapped = await run(mode, [person('a', 'ann@example.com', 'Bob Baker', '222', 'Lyon'), person('b', 'bob@example.com', 'Annie Able', '115', 'Paris')]);
        expect(swapped.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`).sort()).toEqual(['a:failed:identity_unclear', 'b:failed:identity_unclear']);
        expect(swapped.results.find((r) => r.id === 'b')?.message).toContain('Every value that told its last row apart from the other rows changed, and row "a" now has some of them');
        expect(await writes()).toEqual([]);
      }
      const ordinary = await run(mode, [person('a', 'ann@example.com', 'Ann Smith', '119', 'Nice'), person('b', 'bob@example.com', 'Bob Baker', '222', 'Lyon'), person('c', 'cy@example.com', 'Cy Young', '333', 'Metz')]);
      expect(ordinary.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['a:updated', 'b:unchanged', mode === 'enrich' ? 'c:skipped' : 'c:created']);
    });
  }

  it('enrich: a new id with the email of a record that left but none of its other values is refused (identity_unclear), her record untouched, every run; a new id with her email and her name takes her record over', async () => {
    await run('additive', [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
    await admin.clearRequests();
    for (let i = 0; i < 2; i++) {
      const next = await run('enrich', [rec('id11', 'ada.new@example.com', 'Ada Lovelace'), rec('id4', 'ada@example.com', 'Frank Fox'), rec('id9', 'kim@example.com', 'Kim Park')]);
      const byId = new Map(next.results.map((r) => [r.id, r]));
      expect(byId.get('id4')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
      expect(byId.get('id4')?.message).toContain('It has the email but another name than record "id1" (Tiny record r1), which left the source');
      expect(await writes()).toEqual([]);
    }
    const reid = await run('enrich', [rec('id4', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
    expect(reid.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    expect(reid.results.find((r) => r.id === 'id4')?.outcome).not.toBe('failed');
  });

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: a new id with the email of a record that left and none of its other values is refused (identity_unclear), her record kept and untouched, every run; with her name it takes her record over (tenth trial of stop 28)`, async () => {
      await run(mode, [rec('id1', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')]);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, [rec('id4', 'ada@example.com', 'Frank Fox'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
        const byId = new Map(next.results.map((r) => [r.id, r]));
        expect(byId.get('id4')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(byId.get('id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
        expect(await writes()).toEqual([]);
      }
      const reid = await run(mode, [rec('id4', 'ada@example.com', 'Ada Lovelace'), rec('id9', 'kim@example.com', 'Kim Park')], GUARD);
      expect(reid.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(reid.results.find((r) => r.id === 'id4')?.outcome).not.toBe('failed');
    });
  }

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: a new id with the email of a record that left and one of its other values in common (a city) but another name is refused (identity_unclear), her record kept and untouched; with every value hers it takes her record over (first trial of stop 31)`, async () => {
      const person = (id: string, email: string, name: string, city: string): ConformanceRecord => ({ id, snapshot: { properties: { email, name, city }, groups: [] } });
      await run('additive', [person('id1', 'ada@example.com', 'Ada Lovelace', 'Oslo'), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')]);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, [person('id6', 'ada@example.com', 'Zed Zeta', 'oslo '), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
        const byId = new Map(next.results.map((r) => [r.id, r]));
        expect(byId.get('id6')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(byId.get('id6')?.message).toContain('another name than record "id1"');
        expect(byId.get('id1')?.outcome).not.toBe('deleted');
        expect(await writes()).toEqual([]);
      }
      const reid = await run(mode, [person('id6', 'ada@example.com', 'Ada Lovelace', 'Oslo'), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
      expect(reid.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      expect(reid.results.find((r) => r.id === 'id6')?.outcome).not.toBe('failed');
    });
  }

  for (const mode of ['sync', 'additive'] as const) {
    it(`${mode}: a new id with the email of a record that left and every other value empty is refused (identity_unclear), her record kept and untouched, so her values are never overwritten a run later (re-check of stop 31)`, async () => {
      const person = (id: string, email: string, name: string | null, city: string | null): ConformanceRecord => ({ id, snapshot: { properties: { email, name, city }, groups: [] } });
      await run(mode, [person('id1', 'ada@example.com', 'Ada Lovelace', 'Oslo'), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, [person('id6', 'ada@example.com', null, null), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
        expect(next.results.find((r) => r.id === 'id6')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(next.results.find((r) => r.id === 'id6')?.message).toContain('It has the email but none of the other values of record "id1"');
        expect(next.results.find((r) => r.id === 'id1')?.outcome).not.toBe('deleted');
        expect(await writes()).toEqual([]);
      }
    });
  }

  for (const mode of ['additive', 'sync'] as const) {
    it(`${mode}: a record kept after it left (${mode === 'additive' ? 'additive never deletes' : 'not created by this sync'}), then a new id with its email and another name one run later: refused (identity_unclear), her record untouched; with every value hers it takes her record over (first trial of stop 31)`, async () => {
      const person = (id: string, email: string, name: string, city: string): ConformanceRecord => ({ id, snapshot: { properties: { email, name, city }, groups: [] } });
      if (mode === 'sync') await admin.seed({ records: [{ key: 'ada@example.com', fields: { name: 'Ada Lovelace', city: 'Oslo' } }] });
      await run(mode, [person('id1', 'ada@example.com', 'Ada Lovelace', 'Oslo'), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
      const left = await run(mode, [person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
      expect(left.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'skipped', code: mode === 'additive' ? 'delete_not_allowed' : 'not_owned' });
      await admin.clearRequests();
      for (let i = 0; i < 2; i++) {
        const next = await run(mode, [person('id6', 'ada@example.com', 'Zed Zeta', 'Oslo'), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
        expect(next.results.find((r) => r.id === 'id6')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
        expect(next.results.find((r) => r.id === 'id6')?.message).toContain('which this sync wrote for record "id1", which left the source in an earlier run and was kept there, but it has another name than that record');
        expect(await writes()).toEqual([]);
      }
      const reid = await run(mode, [person('id6', 'ada@example.com', 'Ada Lovelace', 'Oslo'), person('id9', 'kim@example.com', 'Kim Park', 'Bergen')], GUARD);
      expect(reid.results.find((r) => r.id === 'id6')?.outcome).not.toBe('failed');
    });
  }

  it('sync: a record whose plan changed while a new person with another name joins on the old plan: an ordinary change, both written', async () => {
    const person = (id: string, email: string, name: string, plan: string): ConformanceRecord => ({ id, snapshot: { properties: { email, name, plan }, groups: [] } });
    await run('sync', [person('mary', 'mary@example.com', 'Mary Smith', 'Gold')]);
    const next = await run('sync', [person('mary', 'mary@example.com', 'Mary Smith', 'Silver'), person('joe', 'joe@example.com', 'Joe Jones', 'Gold')]);
    expect(next.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['joe:created', 'mary:updated']);
  });

  it('sync: a row whose email and name both changed to values nobody leaving had is updated, and the record that left is deleted', async () => {
    await run('sync', [rec('id1', 'barbara@example.com', 'Barbara Liskov'), rec('id2', 'ada@example.com', 'Ada Lovelace')]);
    const next = await run('sync', [rec('id2', 'ada.king@example.com', 'Ada King')], GUARD);
    expect(next.results.find((r) => r.id === 'id2')).toMatchObject({ outcome: 'updated', destinationId: 'r2' });
    expect(next.results.find((r) => r.id === 'id1')).toMatchObject({ outcome: 'deleted', destinationId: 'r1' });
  });

  it('a re-keyed record leaves the managed groups its new id is not in, in the same run; a rerun sends nothing', async () => {
    await run('additive', [rec('old-id', 'p@example.com', 'Pat', ['vip', 'beta'])]);
    const second = await run('additive', [rec('new-id', 'p@example.com', 'Pat', ['vip'])]);
    expect(second.results.find((r) => r.id === 'old-id')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    const groups = async () => (await admin.records<Stored & { groups: { name: string; members: string[] }[] }>()).groups;
    expect((await groups()).map((g) => `${g.name}:${g.members.join(',')}`)).toEqual(['vip:r1', 'beta:']);
    await admin.clearRequests();
    const third = await run('additive', [rec('new-id', 'p@example.com', 'Pat', ['vip'])]);
    expect(third.counts.unchanged).toBe(1);
    expect(await writes()).toEqual([]);
  });

  it('a record whose lookup failed still protects its destination record from a departure with the same key', async () => {
    await run('sync', [rec('old-id', 'p@example.com', 'Pat')]);
    await admin.setFaults([{ kind: 'server_error', method: 'GET', path: '^/records$', status: 400, times: 1 }]);
    const second = await run('sync', [rec('new-id', 'p@example.com', 'Pat')], { windowSize: 1 });
    expect(second.results.find((r) => r.id === 'old-id')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    expect((await admin.records<Stored>()).records).toHaveLength(1);
  });

  it('a departure whose key two rows in the source share (duplicate_match_key) keeps its record and groups as they are and its state; the row left alone later takes it over', async () => {
    await admin.seed({ records: [{ key: 'p@example.com', fields: { name: 'Pat' } }] });
    // 'a' is not found (enrich keeps a "not found" entry for it); 'old-id' joins vip and beta.
    await run('enrich', [rec('a', 'a@example.com'), rec('old-id', 'p@example.com', 'Pat', ['vip', 'beta'])]);
    const groups = async () => (await admin.records<Stored & { groups: { name: string; members: string[] }[] }>()).groups.map((g) => `${g.name}:${g.members.join(',')}`);
    expect(await groups()).toEqual(['vip:r1', 'beta:r1']);
    await admin.clearRequests();
    // 'a' and 'new-id' now both have old-id's email: both fail; neither has written r1.
    const second = await run('enrich', [rec('a', 'p@example.com'), rec('new-id', 'p@example.com', 'Pat', ['vip', 'beta'])]);
    const byId = new Map(second.results.map((r) => [r.id, r]));
    expect(byId.get('a')).toMatchObject({ outcome: 'failed', code: 'duplicate_match_key' });
    expect(byId.get('old-id')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    expect(byId.get('old-id')?.message).toContain('the next run decides again');
    expect(await writes()).toEqual([]);
    expect(await groups()).toEqual(['vip:r1', 'beta:r1']);
    expect((await state.get(second.syncId, ['old-id'])).get('old-id')).toMatchObject({ destinationId: 'r1' });
    // Next run: only new-id has the email; it updates r1 and inherits old-id's entry.
    const third = await run('enrich', [rec('a', 'a@example.com'), rec('new-id', 'p@example.com', 'Pat', ['vip'])]);
    expect(third.results.find((r) => r.id === 'old-id')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    expect(await groups()).toEqual(['vip:r1', 'beta:']);
    const entries = await state.get(third.syncId, ['old-id', 'new-id']);
    expect(entries.has('old-id')).toBe(false);
    expect(entries.get('new-id')).toMatchObject({ destinationId: 'r1' });
  });
});

/** A state store whose writes fail from the `failFrom`-th put on while armed (a disk filling up mid-run). */
class FillingStateStore extends MemoryStateStore {
  failFrom: number | undefined;
  private puts = 0;
  override async put(...args: Parameters<MemoryStateStore['put']>): Promise<void> {
    if (this.failFrom !== undefined && ++this.puts >= this.failFrom) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    return super.put(...args);
  }
}

describe('an audience record whose identifiers changed in a run that could not record it (tiny audience)', () => {
  it('then leaves the source: both its new and its old identifiers leave the audience (the new ones were orphaned: full verify seed 9785796)', async () => {
    const emulator = createTinyAudienceEmulator(100);
    const url = await emulator.start();
    const admin = new EmulatorClient(url);
    const state = new FillingStateStore();
    try {
      const run = (records: ConformanceRecord[]) =>
        runSync({ collectResults: true, destination: tinyAudienceDestination, config: { baseUrl: url, token: TINY_AUDIENCE_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: FAST, guard: { maxDeletes: 10 } });
      const members = async () => (await admin.records<{ audiences: { name: string; members: string[] }[] }>()).audiences.find((a) => a.name === 'A')?.members.slice().sort();
      await run([rec('p', 'p@example.com', 'Pat', ['A']), rec('x', 'x@example.com', 'X', ['A'])]);
      // The write-ahead mark is written, the changes are sent, then state fails.
      state.failFrom = 2;
      const failed = await run([rec('p', 'p2@example.com', 'Pat', ['A']), rec('x', 'x@example.com', 'X', ['A'])]);
      expect(failed.status).toBe('stopped');
      expect(await members()).toEqual(['p2@example.com', 'x@example.com']);
      state.failFrom = undefined;
      const left = await run([rec('x', 'x@example.com', 'X', ['A'])]);
      expect(left.status).toBe('completed');
      expect(await members()).toEqual(['x@example.com']);
      const again = await run([rec('x', 'x@example.com', 'X', ['A'])]);
      expect(again.counts).toMatchObject({ unchanged: 1, deleted: 0 });
    } finally {
      await emulator.stop();
    }
  });
});

describe('never removing someone still in the source (tiny audience)', () => {
  it('an id change with the same email keeps the person in the audiences the new id is in (sync mode), and the new id removes them when it leaves', async () => {
    const emulator = createTinyAudienceEmulator(100);
    const url = await emulator.start();
    const admin = new EmulatorClient(url);
    const state = new MemoryStateStore();
    try {
      const run = (records: ConformanceRecord[]) =>
        runSync({ collectResults: true, destination: tinyAudienceDestination, config: { baseUrl: url, token: TINY_AUDIENCE_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: FAST, guard: { maxDeletes: 10 } });
      await run([rec('old-id', 'p@example.com', 'Pat', ['A', 'B']), rec('x', 'x@example.com', 'X', ['A'])]);
      const second = await run([rec('new-id', 'p@example.com', 'Pat', ['A']), rec('x', 'x@example.com', 'X', ['A'])]);
      expect(second.results.find((r) => r.id === 'old-id')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
      const audiences = async () => (await admin.records<{ audiences: { name: string; members: string[] }[] }>()).audiences;
      expect((await audiences()).find((a) => a.name === 'A')?.members).toContain('p@example.com');
      // Kept in A (the new id is in it), removed from B (the new id is not) in the same run.
      expect((await audiences()).find((a) => a.name === 'B')?.members).toEqual([]);
      const third = await run([rec('new-id', 'p@example.com', 'Pat', ['A']), rec('x', 'x@example.com', 'X', ['A'])]);
      expect(third.counts).toMatchObject({ unchanged: 2, created: 0, updated: 0, deleted: 0 });
      await run([rec('x', 'x@example.com', 'X', ['A'])]);
      expect((await audiences()).find((a) => a.name === 'A')?.members).toEqual(['x@example.com']);
    } finally {
      await emulator.stop();
    }
  });

  it('a record whose identifiers change while another record takes its old ones: the old identity stays in the audiences that record is in (sync mode)', async () => {
    const emulator = createTinyAudienceEmulator(100);
    const url = await emulator.start();
    const admin = new EmulatorClient(url);
    const state = new MemoryStateStore();
    try {
      const run = (records: ConformanceRecord[]) =>
        runSync({ collectResults: true, destination: tinyAudienceDestination, config: { baseUrl: url, token: TINY_AUDIENCE_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: FAST, windowSize: 1, guard: { maxDeletes: 10 } });
      await run([rec('pat', 'p@example.com', 'Pat', ['A', 'B'])]);
      // 'kim' takes Pat's old email (window 1: joins A); then 'pat' moves to a new email (window 2).
      const second = await run([rec('kim', 'p@example.com', 'Pat', ['A']), rec('pat', 'q@example.com', 'Pat', ['A', 'B'])]);
      const byId = new Map(second.results.map((r) => [r.id, r]));
      expect(byId.get('kim')).toMatchObject({ outcome: 'created' });
      expect(byId.get('pat')).toMatchObject({ outcome: 'updated' });
      expect(byId.get('pat')?.message).toContain('record "kim"');
      const audiences = async () => (await admin.records<{ audiences: { name: string; members: string[] }[] }>()).audiences.map((a) => `${a.name}:${[...a.members].sort().join(',')}`);
      expect(await audiences()).toEqual(['A:p@example.com,q@example.com', 'B:q@example.com']);
      const third = await run([rec('kim', 'p@example.com', 'Pat', ['A']), rec('pat', 'q@example.com', 'Pat', ['A', 'B'])]);
      expect(third.counts).toMatchObject({ unchanged: 2, created: 0, updated: 0, deleted: 0 });
      expect(await audiences()).toEqual(['A:p@example.com,q@example.com', 'B:q@example.com']);
    } finally {
      await emulator.stop();
    }
  });
});

describe('two syncs sharing a state and an audience (tiny audience; #17, the audience half of trial 19a F5)', () => {
  const audiences = async (admin: EmulatorClient) => (await admin.records<{ audiences: { name: string; members: string[] }[] }>()).audiences.map((a) => `${a.name}:${[...a.members].sort().join(',')}`);

  it('a person who left one sync\'s source stays in the audiences the other sync\'s source still puts them in (tracked_elsewhere, naming it), and leaves once neither has them', async () => {
    const emulator = createTinyAudienceEmulator(100);
    const url = await emulator.start();
    const admin = new EmulatorClient(url);
    const state = new MemoryStateStore();
    try {
      const run = (syncName: string, records: ConformanceRecord[]) =>
        runSync({ collectResults: true, destination: tinyAudienceDestination, config: { baseUrl: url, token: TINY_AUDIENCE_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: FAST, syncName, guard: { maxDeletes: 10, allowEmptySource: true } });
      await run('a', [rec('1', 'p@example.com', 'Pat', ['A', 'B']), rec('2', 'x@example.com', 'X', ['A'])]);
      await run('b', [rec('9', 'p@example.com', 'Pat', ['A'])]);
      expect(await audiences(admin)).toEqual(['A:p@example.com,x@example.com', 'B:p@example.com']);
      // Pat leaves a's source: kept in A (b has her there), removed from B (b does not).
      const left = await run('a', [rec('2', 'x@example.com', 'X', ['A'])]);
      const pat = left.results.find((r) => r.id === '1');
      expect(pat).toMatchObject({ outcome: 'skipped', code: 'tracked_elsewhere' });
      expect(pat?.message).toContain('sync "b" sharing this state has its member there from its source');
      expect(pat?.message).toContain('removed from 1');
      expect(await audiences(admin)).toEqual(['A:p@example.com,x@example.com', 'B:']);
      // X leaves audience A in a's source while b never had X: removed as before.
      const again = await run('a', [rec('2', 'x@example.com', 'X', [])]);
      expect(again.results.find((r) => r.id === '2')?.outcome).toBe('updated');
      expect(await audiences(admin)).toEqual(['A:p@example.com', 'B:']);
      // b drops Pat too: b removes her (a's entry has left its source), and a's next run has nothing left to keep.
      await run('b', []);
      expect(await audiences(admin)).toEqual(['A:', 'B:']);
      const last = await run('a', [rec('2', 'x@example.com', 'X', [])]);
      expect(last.results.find((r) => r.id === '1')?.code).not.toBe('tracked_elsewhere');
    } finally {
      await emulator.stop();
    }
  });

  it('in the source of both, leaving an audience in one sync\'s source keeps the member there while the other sync has them in it', async () => {
    const emulator = createTinyAudienceEmulator(100);
    const url = await emulator.start();
    const admin = new EmulatorClient(url);
    const state = new MemoryStateStore();
    try {
      const run = (syncName: string, records: ConformanceRecord[]) =>
        runSync({ collectResults: true, destination: tinyAudienceDestination, config: { baseUrl: url, token: TINY_AUDIENCE_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: FAST, syncName, guard: { maxDeletes: 10 } });
      await run('a', [rec('1', 'p@example.com', 'Pat', ['A'])]);
      await run('b', [rec('9', 'p@example.com', 'Pat', ['A'])]);
      const moved = await run('a', [rec('1', 'p@example.com', 'Pat', [])]);
      expect(moved.results[0]).toMatchObject({ outcome: 'skipped', code: 'tracked_elsewhere' });
      expect(await audiences(admin)).toEqual(['A:p@example.com']);
    } finally {
      await emulator.stop();
    }
  });
});

/**
 * A destination whose lookups lag and that cannot read a record by id (`lookupLags`): a record
 * that left the source whose own record its search does not show yet, beside a copy with its
 * email, is refused and stays tracked, then deleted once search shows it (fresh reviewer 141,
 * F2: forgotten, it was never deleted).
 */
describe('a departure at a destination whose lookups lag (tiny with lookupLags, sync mode)', () => {
  const t = perTestEmulator(startTiny);
  const hidden = new Set<string>();
  const lagging = (lookupLags: boolean) => ({
    ...tinyDestination,
    lookupLags,
    verbs: {
      ...tinyDestination.verbs,
      find: async (ctx: Parameters<typeof tinyDestination.verbs.find>[0], requests: Parameters<typeof tinyDestination.verbs.find>[1]) => {
        const found = await tinyDestination.verbs.find(ctx, requests);
        return new Map([...found].map(([ref, records]) => [ref, records.filter((r) => !hidden.has(r.id))]));
      },
    },
  }) as typeof tinyDestination;

  for (const lookupLags of [true, false]) {
    it(`lookupLags ${lookupLags}: its own record not shown yet, a copy with its email: ${lookupLags ? 'refused (ambiguous_match), still tracked, deleted once shown' : 'forgotten (not_found): a destination that says nothing is taken to see every write'}`, async () => {
      const state = new MemoryStateStore();
      const run = (records: ConformanceRecord[]) =>
        runSync({ collectResults: true, destination: lagging(lookupLags), config: { baseUrl: t.env.url, token: TINY_TOKEN }, mode: 'sync', source: memorySource(records), state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 }, guard: { maxDeletes: 10 } });
      const first = await run([rec('a', 'ada@example.com', 'Ada Lovelace'), rec('z', 'z@example.com', 'Zed Zee')]);
      const own = String(first.results.find((r) => r.id === 'a')?.destinationId);
      await t.env.admin.seed({ records: [{ key: 'ada@example.com', fields: { name: 'Ada Lovelace (copy)' } }] });
      hidden.add(own);
      const left = await run([rec('z', 'z@example.com', 'Zed Zee')]);
      const a = left.results.find((r) => r.id === 'a');
      if (!lookupLags) {
        expect(a).toMatchObject({ outcome: 'skipped', code: 'not_found' });
        hidden.clear();
        return;
      }
      expect(a).toMatchObject({ outcome: 'failed', code: 'ambiguous_match' });
      expect(a?.message).toMatch(/search may not show yet\. Nothing was changed, and it is still tracked/);
      expect((await t.env.admin.records<{ records: { id: string }[] }>()).records.map((r) => r.id)).toContain(own);
      hidden.clear();
      const later = await run([rec('z', 'z@example.com', 'Zed Zee')]);
      expect(later.results.find((r) => r.id === 'a')).toMatchObject({ outcome: 'deleted', destinationId: own });
      expect((await t.env.admin.records<{ records: { id: string; fields: Record<string, string> }[] }>()).records.map((r) => r.fields.name)).toEqual(['Zed Zee', 'Ada Lovelace (copy)']);
    });
  }
});
