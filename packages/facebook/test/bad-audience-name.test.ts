import { runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { facebookDestination, sha256Hex } from '../src/index';
import { emailOf, isUsers, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

const person = (i: number, audiences: string[]): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: audiences } });
type Summary = Awaited<ReturnType<typeof runSync>>;
const byId = (s: Summary) => Object.fromEntries(s.results.map((r) => [r.id, r.code ?? r.outcome]));

// One audience that could not be found or created (here a group given by the id of another ad
// account's audience: audience_in_other_account) failed every record joining any audience, and the others were never
// added (reviewer 88, F3, on the audience path). Now only the records naming it fail.
describe('Facebook: an audience that cannot be found or created fails only the records naming it (emulator, official SDK over HTTP)', () => {
  const t = perTestEmulator(() => startFacebook());
  const run = (records: readonly ConformanceRecord[]) =>
    runSync({ collectResults: true, destination: facebookDestination, config: t.env.config, mode: 'sync', source: memorySource(records), state: t.state, sourceKey: 'id', retry: FAST_RETRY });
  const members = async () => {
    const all = (await t.env.admin.records<FacebookEmulatorData>()).audiences;
    return Object.fromEntries(all.map((a) => [a.name, a.members.map((m) => m.EMAIL ?? '').sort()]));
  };

  it('a group naming the id of an audience of another ad account fails its record alone, naming it; the others join their audience, and a rerun sends nothing for them', async () => {
    await t.env.admin.seed({ audiences: [{ id: '777', name: 'Elsewhere', accountId: 'act_2000' }] });
    const records = [person(1, ['777']), person(2, ['VIP']), person(3, ['VIP', 'Other']), person(4, [])];
    const first = await run(records);
    expect(byId(first)).toEqual({ r1: 'audience_in_other_account', r2: 'created', r3: 'created', r4: 'no_audience' });
    expect(first.results.find((r) => r.id === 'r1')?.message).toContain('group "777" could not be found or created');
    expect(await members()).toEqual({ Elsewhere: [], VIP: [sha256Hex(emailOf(2)), sha256Hex(emailOf(3))].sort(), Other: [sha256Hex(emailOf(3))] });

    await t.env.admin.clearRequests();
    const second = await run(records);
    expect(byId(second)).toEqual({ r1: 'audience_in_other_account', r2: 'unchanged', r3: 'unchanged', r4: 'unchanged' });
    expect(second.notices.map((n) => n.code)).toEqual([]);
    expect((await t.env.admin.requests()).filter((e) => isUsers(e, 'POST') || isUsers(e, 'DELETE'))).toEqual([]);
  });
});
