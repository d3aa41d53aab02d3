import { runSync, SqliteStateStore, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { facebookDestination, sha256Hex } from '../src/index';
import { emailOf, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

// Two groups of a record can name one audience (two names pinned to one id; a group given by id and one by name):
// leaving one of them must not remove the person from the audience they stay in.
const person = (i: number, groups: string[]): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups } });

describe('Facebook: a record in two groups naming one audience (sync mode)', () => {
  let target: Awaited<ReturnType<typeof startFacebook>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    state = new SqliteStateStore(':memory:');
    target = await startFacebook();
    await target.admin.seed({ audiences: [{ id: '555', name: 'Customers' }] });
  });
  afterEach(async () => {
    state.close();
    await target.emulator.stop();
  });
  const run = (records: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: facebookDestination, config: target.config, mode: 'sync', source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000 }, ...extra });
  const members = async () => ((await target.admin.records<FacebookEmulatorData>()).audiences.find((a) => a.id === '555')?.members ?? []).map((m) => m.EMAIL).sort();
  const removals = async () => (await target.admin.requests()).filter((e) => e.method === 'DELETE');

  it('groups A and B pinned to one audience: leaving A keeps the person (no removal sent); leaving B too removes them', async () => {
    const pin = { groupIds: { A: '555', B: '555' } };
    await run([person(1, ['A', 'B']), person(2, ['A'])], pin);
    expect(await members()).toEqual([sha256Hex(emailOf(1)), sha256Hex(emailOf(2))].sort());
    await target.admin.clearRequests();
    const next = await run([person(1, ['B']), person(2, [])], pin);
    expect(next.counts.failed).toBe(0);
    expect(await members()).toEqual([sha256Hex(emailOf(1))]);
    expect(await removals()).toHaveLength(1);
    const again = await run([person(1, ['B']), person(2, [])], pin);
    expect(again.counts).toMatchObject({ unchanged: 2 });
    const gone = await run([person(1, []), person(2, [])], pin);
    expect(gone.results.find((r) => r.id === 'r1')).toMatchObject({ outcome: 'updated' });
    expect(await members()).toEqual([]);
  });

  it('a phone changed while in both groups: the old phone leaves the audience (its removal is not skipped), the new one is there; the rerun is quiet', async () => {
    const pin = { groupIds: { A: '555', B: '555' } };
    const rec = (phone: string): ConformanceRecord => ({ id: 'r1', snapshot: { properties: { EMAIL: emailOf(1), PHONE: phone }, groups: ['A', 'B'] } });
    await run([rec('+1 555 123 0001')], pin);
    await run([rec('+1 555 123 0002')], pin);
    const audience = (await target.admin.records<FacebookEmulatorData>()).audiences.find((a) => a.id === '555');
    const linked = [...(audience?.members ?? []).map((m) => m.PHONE), ...(audience?.links ?? []).flat().map((k) => k.replace(/^PHONE:/, ''))];
    expect(linked).not.toContain(sha256Hex('15551230001'));
    expect(audience?.members.map((m) => m.PHONE)).toEqual([sha256Hex('15551230002')]);
    await target.admin.clearRequests();
    const again = await run([rec('+1 555 123 0002')], pin);
    expect(again.counts.unchanged).toBe(1);
    expect((await target.admin.requests()).filter((e) => e.path.endsWith('/users'))).toEqual([]);
  });

  it('a group given by the audience id and one by its name: leaving the name keeps the person', async () => {
    await run([person(1, ['Customers', '555'])]);
    await run([person(1, ['555'])]);
    expect(await members()).toEqual([sha256Hex(emailOf(1))]);
  });
});
