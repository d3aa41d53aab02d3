import { runSync, SqliteStateStore } from '@syncmodes/connector-kit';
import type { EmulatorServer } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facebookDestination, sha256Hex } from '../src/index';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { emailOf, isUsers, payloadOf, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

/** What a pre-hashed column holds where the cell was blank when it was hashed. */
const EMPTY = sha256Hex('');
const phoneDigest = (i: number) => sha256Hex(`4791234567${i}`);

describe('pre-hashed values: the digest of "" is a missing value (reviewer 87, finding 1)', () => {
  let emulator: EmulatorServer | undefined;
  let target: Awaited<ReturnType<typeof startFacebook>>;
  let state: SqliteStateStore;
  const run = (records: readonly ConformanceRecord[], mode: 'additive' | 'sync' = 'additive') =>
    runSync({ collectResults: true, destination: facebookDestination, config: target.config, mode, source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10 } });
  const row = (id: string, properties: Record<string, string>): ConformanceRecord => ({ id, snapshot: { properties, groups: ['A'] } });

  beforeEach(async () => {
    state = new SqliteStateStore(':memory:');
    target = await startFacebook();
    emulator = target.emulator;
  });
  afterEach(async () => {
    state.close();
    await emulator?.stop();
    emulator = undefined;
  });

  it('rows whose EMAIL is the empty digest match by their PHONE, and the empty digest is never sent', async () => {
    const summary = await run([1, 2, 3].map((i) => row(`r${i}`, { EMAIL: EMPTY, PHONE: phoneDigest(i) })));
    expect(summary.results.map((r) => `${r.id}:${r.outcome}`)).toEqual(['r1:created', 'r2:created', 'r3:created']);
    const adds = (await target.admin.requests()).filter((e) => isUsers(e, 'POST'));
    const sent = adds.flatMap((e) => {
      const { schema, data } = payloadOf(e);
      return data.map((d) => ({ EMAIL: d[schema.indexOf('EMAIL')], PHONE: d[schema.indexOf('PHONE')] }));
    });
    expect(sent).toEqual([1, 2, 3].map((i) => ({ EMAIL: '', PHONE: phoneDigest(i) })));
    const { audiences } = await target.admin.records<FacebookEmulatorData>();
    expect(audiences.find((a) => a.name === 'A')?.members.map((m) => m.PHONE).sort()).toEqual([1, 2, 3].map(phoneDigest).sort());
    expect(JSON.stringify(audiences)).not.toContain(EMPTY);
  });

  it('a row whose only identifier is the empty digest (any case) fails no_valid_identifier; the others go', async () => {
    const summary = await run([row('r1', { EMAIL: EMPTY.toUpperCase(), FN: 'Ada' }), row('r2', { EMAIL: sha256Hex(emailOf(2)) }), row('r3', { EMAIL: emailOf(3), PHONE: EMPTY })]);
    expect(summary.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'failed', code: 'no_valid_identifier' });
    expect(summary.results.filter((r) => r.id !== 'r1').map((r) => r.outcome)).toEqual(['created', 'created']);
    const sent = (await target.admin.requests()).filter((e) => isUsers(e, 'POST')).flatMap((e) => payloadOf(e).data);
    expect(sent).toHaveLength(2);
    expect(JSON.stringify(sent)).not.toContain(EMPTY);
  });

  it('a COUNTRY given as the empty digest is missing: the national phone is read in defaultCountry', async () => {
    target.config = { ...target.config, defaultCountry: 'NO' };
    await run([row('r1', { PHONE: '41234567', COUNTRY: EMPTY })]);
    const [add] = (await target.admin.requests()).filter((e) => isUsers(e, 'POST'));
    const { schema, data } = payloadOf(add!);
    expect(data[0]![schema.indexOf('PHONE')]).toBe(sha256Hex('4741234567'));
    expect(data[0]![schema.indexOf('COUNTRY')]).toBe('');
  });

  // Fresh trial 145, F1: the all-zero advertising id (a device that did not allow tracking) made every such row one member.
  it('the all-zero MADID (with or without hyphens) is missing: those rows match by their EMAIL, one with no other identifier fails no_valid_identifier saying why', async () => {
    const zero = '00000000-0000-0000-0000-000000000000';
    const summary = await run([row('r1', { EMAIL: emailOf(1), MADID: zero }), row('r2', { EMAIL: emailOf(2), MADID: zero.replace(/-/g, '') }), row('r3', { MADID: ` {${zero}}\u200b ` }), row('r4', { MADID: 'AEBE52E7-03EE-455A-B3C4-E57283966239' })]);
    expect(summary.results.map((r) => `${r.id}:${r.outcome}`).sort()).toEqual(['r1:created', 'r2:created', 'r3:failed', 'r4:created']);
    expect(summary.results.find((r) => r.id === 'r3')).toMatchObject({ code: 'no_valid_identifier', message: expect.stringContaining('MADID is the all-zero advertising id a device reports when the user did not allow tracking') });
    const sent = (await target.admin.requests()).filter((e) => isUsers(e, 'POST')).flatMap((e) => {
      const { schema, data } = payloadOf(e);
      return data.map((d) => d[schema.indexOf('MADID')]);
    });
    expect(sent).toEqual(['', '', 'aebe52e7-03ee-455a-b3c4-e57283966239']);
    const { audiences } = await target.admin.records<FacebookEmulatorData>();
    expect(audiences.find((a) => a.name === 'A')?.members).toHaveLength(3);
    expect(summary.notices.find((n) => n.code === 'values_sent_empty')?.message).toMatch(/MADID: 2 record\(s\) \("r1", "r2"\)/);
  });

  // Fresh trial 147, F1: the row's message spoke of national numbers and defaultCountry, not of the spreadsheet's notation.
  it('a PHONE in scientific notation is not sent; a row with nothing else fails no_valid_identifier saying why', async () => {
    const summary = await run([row('r1', { PHONE: '4.479E+11', COUNTRY: 'GB' })]);
    expect(summary.results[0]).toMatchObject({ outcome: 'failed', code: 'no_valid_identifier', message: expect.stringContaining("PHONE is written in a spreadsheet's scientific notation") });
  });

  // An EXTERN_ID a spreadsheet wrote as 4.479E+11 stands for several people's ids: the row is refused (two such rows were one member).
  it('a row with an EXTERN_ID in a spreadsheet\'s scientific notation fails scientific_notation, nothing sent for it; 12e45 is an id', async () => {
    const summary = await run([row('r1', { EMAIL: emailOf(1), EXTERN_ID: '4.479E+11' }), row('r2', { EMAIL: emailOf(2), EXTERN_ID: '4.479E+11' }), row('r3', { EXTERN_ID: '1E+10' }), row('r4', { EXTERN_ID: '12e45' })]);
    expect(summary.results.map((r) => `${r.id}:${r.outcome}:${r.code ?? ''}`).sort()).toEqual(['r1:failed:scientific_notation', 'r2:failed:scientific_notation', 'r3:failed:scientific_notation', 'r4:created:']);
    expect(summary.results.find((r) => r.id === 'r1')?.message).toMatch(/^EXTERN_ID is written in a spreadsheet's scientific notation/);
    const sent = (await target.admin.requests()).filter((e) => isUsers(e, 'POST')).flatMap((e) => {
      const { schema, data } = payloadOf(e);
      return data.map((d) => d[schema.indexOf('EXTERN_ID')]);
    });
    expect(sent).toEqual(['12e45']);
  });

  // Fresh reviewer 154, F1: a member uploaded with such an EXTERN_ID before it was refused must still leave when its row does.
  it('a member uploaded with an EXTERN_ID in scientific notation before such rows were refused is removed when its row leaves (sync)', async () => {
    const before = { ...facebookDestination } as typeof facebookDestination;
    delete (before as { refuseKey?: unknown }).refuseKey; // as before such values were refused
    const summary = await runSync({ collectResults: true, destination: before, config: target.config, mode: 'sync', source: memorySource([row('r1', { EXTERN_ID: '4.479E+11' }), row('r2', { EMAIL: emailOf(2) })]), state, sourceKey: 'id', retry: FAST_RETRY });
    expect(summary.counts.created).toBe(2);
    const left = await run([row('r2', { EMAIL: emailOf(2) })], 'sync');
    expect(left.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'deleted' });
    const { audiences } = await target.admin.records<FacebookEmulatorData>();
    expect(audiences.find((a) => a.name === 'A')?.members).toHaveLength(1);
  });

  it('duplicate_match_key names the key the rows share', async () => {
    const summary = await run([row('r1', { EMAIL: emailOf(1), PHONE: phoneDigest(1) }), row('r2', { EMAIL: ` ${emailOf(1).toUpperCase()}`, PHONE: phoneDigest(2) }), row('r3', { PHONE: phoneDigest(3) }), row('r4', { PHONE: phoneDigest(3) })]);
    const failed = (id: string) => summary.results.find((r) => r.id === id);
    expect(failed('r1')).toMatchObject({ outcome: 'failed', code: 'duplicate_match_key' });
    expect(failed('r1')?.message).toMatch(/^Same EMAIL as record "r2"; each identifier \(EMAIL, PHONE, MADID or EXTERN_ID\) must belong to one record\./);
    expect(failed('r4')?.message).toMatch(/^Same PHONE as record "r3"/);
    expect((await target.admin.requests()).filter((e) => isUsers(e, 'POST'))).toEqual([]);
  });
});
