import { runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { facebookDestination, sha256Hex } from '../src/index';
import { emailOf, isUsers, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

// Fresh reviewer 97, F5: a group made of digits (a cohort `2024`, a segment number from the customer's database) was
// read as an audience id, and failed audience_not_found on every row of every run. Now a group of digits is an
// audience id only when an audience has that id; otherwise it is a name, found or created.
const person = (i: number, groups: string[]): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups } });

describe('Facebook: a group made of digits is a name unless an audience has that id', () => {
  const t = perTestEmulator(async () => {
    const env = await startFacebook();
    await env.admin.seed({ audiences: [{ id: '555', name: 'Customers' }] });
    return env;
  });
  const run = (records: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: facebookDestination, config: t.env.config, mode: 'sync', source: memorySource(records), state: t.state, sourceKey: 'id', retry: FAST_RETRY, ...extra });
  const audiences = async () => (await t.env.admin.records<FacebookEmulatorData>()).audiences;
  const membersOf = (list: FacebookEmulatorData['audiences'], name: string) => list.filter((a) => a.name === name).flatMap((a) => a.members.map((m) => m.EMAIL)).sort();
  const created = async () => (await t.env.admin.requests()).filter((e) => e.method === 'POST' && e.path.endsWith('/customaudiences')).map((e) => (e.body as { name: string }).name).sort();

  it('groups "2024" and "12", no audience\'s id, are created by name and joined; no row fails; the rerun is quiet', async () => {
    const summary = await run([person(1, ['12', '2024']), person(2, ['2024'])]);
    expect(summary.counts).toMatchObject({ created: 2, failed: 0 });
    const list = await audiences();
    expect(membersOf(list, '2024')).toEqual([sha256Hex(emailOf(1)), sha256Hex(emailOf(2))].sort());
    expect(membersOf(list, '12')).toEqual([sha256Hex(emailOf(1))]);
    expect(await created()).toEqual(['12', '2024']);
    expect(summary.notices).toEqual([]);
    await t.env.admin.clearRequests();
    const again = await run([person(1, ['12', '2024']), person(2, ['2024'])]);
    expect(again.counts).toMatchObject({ unchanged: 2 });
    expect((await t.env.admin.requests()).filter((e) => isUsers(e, 'POST') || isUsers(e, 'DELETE'))).toEqual([]);
  });

  it('a group "555" that is an audience\'s id is that audience, as before; when another audience is also named "555", the run is refused and nothing is sent', async () => {
    const first = await run([person(1, ['555'])]);
    expect(first.counts).toMatchObject({ created: 1, failed: 0 });
    expect((await audiences()).find((a) => a.id === '555')?.members.map((m) => m.EMAIL)).toEqual([sha256Hex(emailOf(1))]);
    expect(await created()).toEqual([]);

    await t.env.admin.seed({ audiences: [{ id: '556', name: '555' }] });
    await t.env.admin.clearRequests();
    const refused = await run([person(1, ['555']), person(2, ['555'])]);
    expect(refused).toMatchObject({ status: 'stopped', reason: { code: 'ambiguous_group', message: expect.stringContaining('Group "555" is the id of an audience of act_1000 and the name of another (id 556)') } });
    expect(refused.results.find((r) => r.id === 'r2')).toMatchObject({ outcome: 'skipped', code: 'not_sent' });
    expect((await t.env.admin.requests()).filter((e) => isUsers(e, 'POST') || isUsers(e, 'DELETE'))).toEqual([]);
  });

  it('a group "555" whose audience was deleted since: the next run says the group is gone and creates an audience named "555" for its members (additions are never lost)', async () => {
    await run([person(1, ['555']), person(2, ['555'])]);
    expect((await audiences()).find((a) => a.id === '555')?.members).toHaveLength(2);
    await deleteAudience('555');
    await t.env.admin.clearRequests();
    const next = await run([person(1, ['555']), person(2, ['555'])]);
    expect(next.counts.failed).toBe(0);
    expect(next.notices.map((n) => n.code)).toEqual(['group_recreated']);
    expect(membersOf(await audiences(), '555')).toEqual([sha256Hex(emailOf(1)), sha256Hex(emailOf(2))].sort());
    expect(await created()).toEqual(['555']);
  });

  /** Deletes an audience as Ads Manager would (`DELETE /{audience_id}`, the Graph API's own call). */
  async function deleteAudience(id: string): Promise<void> {
    const answer = await fetch(`${t.env.baseUrl}/v24.0/${id}?access_token=${String(t.env.config.accessToken)}`, { method: 'DELETE' });
    expect(await answer.json()).toEqual({ success: true });
  }
});
