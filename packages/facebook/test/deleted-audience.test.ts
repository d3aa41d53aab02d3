import { runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it, vi } from 'vitest';
import { AudienceUnreachableError, toGraphError } from '../src/client/graph-errors';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { facebookDestination, sha256Hex } from '../src/index';
import { emailOf, isUsers, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

// An audience deleted in Ads Manager (or with DELETE /{audience_id},
// https://developers.facebook.com/docs/marketing-api/reference/custom-audience/#Deleting) answers
// 100 / 33 on its /users edge (https://developers.facebook.com/docs/marketing-api/error-reference).
// Nobody is a member of a deleted audience: a removal from it settles, saying why; an addition
// to it is never dropped (pending, and the next run recreates an audience found by name); an
// audience pinned by id is never recreated under another id.

const person = (i: number, audiences: string[]): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: audiences } });
type Summary = Awaited<ReturnType<typeof runSync>>;
const outcomes = (s: Summary) => Object.fromEntries(s.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]));
const usersCalls = (log: readonly RequestLogEntry[]) => log.filter((e) => isUsers(e, 'POST') || isUsers(e, 'DELETE')).map((e) => `${e.method} ${e.path.replace('/v24.0/', '')} ${e.status}`);
const creations = (log: readonly RequestLogEntry[]) => log.filter((e) => e.method === 'POST' && e.path.endsWith('/customaudiences'));

describe('an audience deleted in Ads Manager (emulator, official SDK over HTTP)', () => {
  const t = perTestEmulator(() => startFacebook());
  const run = (mode: string, records: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}, destination = facebookDestination) =>
    runSync({ collectResults: true, destination, config: t.env.config, mode, source: memorySource(records), state: t.state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000 }, ...extra });
  const audiences = async () => (await t.env.admin.records<FacebookEmulatorData>()).audiences;
  const hashes = (ids: number[]) => ids.map((i) => sha256Hex(emailOf(i))).sort();
  const membersOf = async (id: string) => ((await audiences()).find((a) => a.id === id)?.members.map((m) => m.EMAIL ?? '') ?? []).sort();
  const deleteAudience = async (id: string) => {
    const answer = await fetch(`${t.env.baseUrl}/v24.0/${id}?access_token=${String(t.env.config.accessToken)}`, { method: 'DELETE' });
    expect(await answer.json()).toEqual({ success: true });
  };
  /** The destination, with the audience deleted (as in Ads Manager) right after the kit's start-of-run group check found it. */
  const deletedAfterCheck = (id: string): typeof facebookDestination => {
    const verbs = facebookDestination.verbs;
    const findAudiences: NonNullable<typeof verbs.findAudiences> = async (ctx, names) => {
      const found = await (verbs.findAudiences as NonNullable<typeof verbs.findAudiences>)(ctx, names);
      await deleteAudience(id);
      return found;
    };
    return { ...facebookDestination, verbs: { ...verbs, findAudiences } };
  };

  /** After the run that refilled it: the audience made by hand (777) has r3 and r4, the sync created none and sent nothing else; the run after sends nothing. */
  const expectRefilledByHand = async (source: readonly ConformanceRecord[]) => {
    expect(await membersOf('777')).toEqual(hashes([3, 4]));
    const log = await t.env.admin.requests();
    expect(usersCalls(log)).toEqual(['POST 777/users 200']);
    expect(creations(log)).toEqual([]);
    await t.env.admin.clearRequests();
    expect(outcomes(await run('sync', source))).toEqual({ r2: 'unchanged', r3: 'unchanged', r4: 'unchanged' });
    expect(usersCalls(await t.env.admin.requests())).toEqual([]);
  };

  it('sync, found by name, deleted mid-run: removals settle (audience_deleted), the add stays pending; the next run recreates it and adds everyone in it', async () => {
    await run('sync', [person(1, ['VIP']), person(2, ['VIP']), person(3, ['VIP'])]);
    const [vip] = await audiences();
    await t.env.admin.clearRequests();

    // r1 left the source, r2 left the audience, r3 stays, r4 joins.
    const source = [person(2, []), person(3, ['VIP']), person(4, ['VIP'])];
    const during = await run('sync', source, {}, deletedAfterCheck(vip!.id));
    expect(during.status).toBe('completed');
    expect(outcomes(during)).toEqual({ r1: 'deleted:audience_deleted', r2: 'updated:audience_deleted', r3: 'unchanged', r4: 'skipped:audience_deleted' });
    const r1 = during.results.find((r) => r.id === 'r1');
    expect(r1?.message).toMatch(/Audience "VIP" \(id \d+\) no longer exists in the ad account act_1000: it was deleted in Ads Manager .*Nobody is left in it to remove/);
    expect(during.results.find((r) => r.id === 'r4')).toMatchObject({ retryable: true, message: expect.stringMatching(/The next run creates it again and adds everyone in it\. Pending/) });
    let log = await t.env.admin.requests();
    // The first removal was refused (400: 100 / 33, as for an id that never existed) and confirmed by one listing of the ad account;
    // the other removal and the add got the same verdict without a request or another listing.
    expect(usersCalls(log).map((c) => c.replace(vip!.id, 'VIP'))).toEqual(['DELETE VIP/users 400']);
    const firstSend = log.findIndex((e) => isUsers(e, 'DELETE'));
    expect(log.slice(firstSend).filter((e) => e.method === 'GET' && e.path.endsWith('/customaudiences'))).toHaveLength(1);
    expect(creations(log)).toEqual([]);
    // The run forgets the audience's members: the next one adds everyone in it, whatever audience then has the name.
    expect(during.notices?.map((n) => n.code)).toEqual(['group_deleted']);
    expect(during.notices?.[0]?.message).toMatch(/group "VIP" was deleted during the run: this sync forgot its 1 member\(s\)/);

    await t.env.admin.clearRequests();
    const next = await run('sync', source);
    expect(next.notices ?? []).toEqual([]);
    expect(outcomes(next)).toEqual({ r2: 'unchanged', r3: 'created', r4: 'created' });
    log = await t.env.admin.requests();
    expect(log.filter((e) => isUsers(e, 'DELETE'))).toEqual([]);
    const [recreated] = await audiences();
    expect(recreated?.id).not.toBe(vip!.id);
    expect(await membersOf(recreated!.id)).toEqual(hashes([3, 4]));

    await t.env.admin.clearRequests();
    expect(outcomes(await run('sync', source))).toEqual({ r2: 'unchanged', r3: 'unchanged', r4: 'unchanged' });
    expect(usersCalls(await t.env.admin.requests())).toEqual([]);
  });
  it('sync, deleted mid-run and made again by hand under its name before the next run: the next run adds everyone in it to that audience (fresh helper 76, finding 1)', async () => {
    await run('sync', [person(1, ['VIP']), person(2, ['VIP']), person(3, ['VIP'])]);
    const [vip] = await audiences();
    const source = [person(2, []), person(3, ['VIP']), person(4, ['VIP'])];
    const during = await run('sync', source, {}, deletedAfterCheck(vip!.id));
    expect(during.notices?.map((n) => n.code)).toEqual(['group_deleted']);

    await t.env.admin.seed({ audiences: [{ id: '777', name: 'VIP' }] });
    await t.env.admin.clearRequests();
    const next = await run('sync', source);
    expect(outcomes(next)).toEqual({ r2: 'unchanged', r3: 'created', r4: 'created' });
    await expectRefilledByHand(source);
  });

  it('sync, deleted between runs and made again by hand under its name: the audience created after the last run is another one, and gets everyone (fresh helper 76, finding 1)', async () => {
    // The first run, ten minutes ago (this machine's clock: the state's write times).
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 10 * 60_000);
    try {
      await run('sync', [person(1, ['VIP']), person(2, ['VIP']), person(3, ['VIP'])]);
    } finally {
      vi.useRealTimers();
    }
    const [vip] = await audiences();
    await deleteAudience(vip!.id);
    // Made by hand two minutes ago (Graph's time_created, Unix seconds): after the run, past any clock difference between Meta and this machine.
    await t.env.admin.seed({ audiences: [{ id: '777', name: 'VIP', timeCreated: Math.floor(Date.now() / 1000) - 120 }] });
    await t.env.admin.clearRequests();
    const source = [person(2, []), person(3, ['VIP']), person(4, ['VIP'])];
    const next = await run('sync', source);
    expect(next.notices?.map((n) => n.code)).toEqual(['group_repopulated']);
    expect(next.notices?.[0]?.message).toMatch(/group "VIP" was created \S+Z, after this sync added its 3 member\(s\) to a group of that name \(deleted since\): repopulated with every current member/);
    expect(outcomes(next)).toEqual({ r1: 'skipped:not_found', r2: 'unchanged', r3: 'created', r4: 'created' });
    await expectRefilledByHand(source);
  });

  it('a dry run after an audience was deleted says the real run would create it again and add everyone, and that it shows those records as state has them (fresh helper 76, finding 6)', async () => {
    const source = [person(1, ['VIP']), person(2, ['VIP'])];
    await run('sync', source);
    const [vip] = await audiences();
    await deleteAudience(vip!.id);
    await t.env.admin.clearRequests();
    const dry = await run('sync', source, { dryRun: true });
    expect(dry.notices?.map((n) => n.code)).toEqual(['group_recreated']);
    expect(dry.notices?.[0]?.message).toMatch(/would be created again and repopulated with every current member \(2 record\(s\) to add again\); this dry run changes no state, so it shows those records as state has them \(unchanged\)/);
    expect(outcomes(dry)).toEqual({ r1: 'unchanged', r2: 'unchanged' });
    expect(usersCalls(await t.env.admin.requests())).toEqual([]);
    expect(creations(await t.env.admin.requests())).toEqual([]);
    const real = await run('sync', source);
    expect(outcomes(real)).toEqual({ r1: 'created', r2: 'created' });
  });

  it('an audience of that name created before the run that added its members is the same one: nothing is added again', async () => {
    await t.env.admin.seed({ audiences: [{ id: '555', name: 'VIP', timeCreated: Math.floor(Date.now() / 1000) - 3600 }] });
    const source = [person(1, ['VIP']), person(2, ['VIP'])];
    await run('sync', source);
    await t.env.admin.clearRequests();
    const next = await run('sync', [...source, person(3, ['VIP'])]);
    expect(next.notices ?? []).toEqual([]);
    expect(outcomes(next)).toEqual({ r1: 'unchanged', r2: 'unchanged', r3: 'created' });
    expect(usersCalls(await t.env.admin.requests())).toEqual(['POST 555/users 200']);
  });

  it('additive, deleted mid-run: the adds stay pending (audience_deleted), never dropped; the next run recreates it with everyone', async () => {
    await run('additive', [person(1, ['VIP']), person(2, ['VIP'])]);
    const [vip] = await audiences();
    const source = [person(1, ['VIP']), person(2, ['VIP']), person(3, ['VIP']), person(4, ['VIP'])];
    const during = await run('additive', source, {}, deletedAfterCheck(vip!.id));
    expect(outcomes(during)).toEqual({ r1: 'unchanged', r2: 'unchanged', r3: 'skipped:audience_deleted', r4: 'skipped:audience_deleted' });
    expect(creations(await t.env.admin.requests())).toHaveLength(1);
    const next = await run('additive', source);
    expect(outcomes(next)).toEqual({ r1: 'created', r2: 'created', r3: 'created', r4: 'created' });
    const [recreated] = await audiences();
    expect(await membersOf(recreated!.id)).toEqual(hashes([1, 2, 3, 4]));
  });

  it('pinned by id (the audience option), deleted between runs: the leaver settles once, the newcomer fails audience_not_found and nothing is created; pinned to another audience, everyone joins it', async () => {
    await t.env.admin.seed({ audiences: [{ id: '555', name: 'VIP' }] });
    t.env.config = { ...t.env.config, audience: '555' };
    await run('sync', [person(1, []), person(2, [])]);
    await deleteAudience('555');

    const source = [person(2, []), person(3, [])];
    const first = await run('sync', source);
    expect(outcomes(first)).toEqual({ r1: 'deleted:audience_deleted', r2: 'unchanged', r3: 'failed:audience_not_found' });
    expect(first.results.find((r) => r.id === 'r1')?.message).toMatch(/Audience 555 no longer exists in the ad account act_1000/);
    expect(first.results.find((r) => r.id === 'r3')?.message).toMatch(/pinned by id \(the audience option\), so the sync does not create another/);
    await t.env.admin.clearRequests();
    // r2 is no member of any audience now: it is said so, not reported unchanged.
    const again = await run('sync', source);
    expect(outcomes(again)).toEqual({ r2: 'failed:audience_not_found', r3: 'failed:audience_not_found' });
    let log = await t.env.admin.requests();
    expect(usersCalls(log)).toEqual([]);
    expect(creations(log)).toEqual([]);

    // The user pins a new audience (Ads Manager gave it another id): the old membership is settled, nobody fails.
    await t.env.admin.seed({ audiences: [{ id: '777', name: 'VIP' }] });
    t.env.config = { ...t.env.config, audience: '777' };
    await t.env.admin.clearRequests();
    const repinned = await run('sync', source);
    expect(outcomes(repinned)).toEqual({ r2: 'updated:audience_deleted', r3: 'updated:audience_deleted' });
    expect(await membersOf('777')).toEqual(hashes([2, 3]));
    log = await t.env.admin.requests();
    expect(usersCalls(log)).toEqual(['DELETE 555/users 400', 'POST 777/users 200']);
    await t.env.admin.clearRequests();
    expect(outcomes(await run('sync', source))).toEqual({ r2: 'unchanged', r3: 'unchanged' });
    expect(usersCalls(await t.env.admin.requests())).toEqual([]);
  });

  it('pinned by id (groupIds), deleted between runs: the removal settles once; the add fails pinned_audience_deleted (not retryable), never recreated, even when a new audience has the name', async () => {
    await t.env.admin.seed({ audiences: [{ id: '555', name: 'VIP' }] });
    const pin = { groupIds: { VIP: '555' } };
    await run('sync', [person(1, ['VIP']), person(2, ['VIP'])], pin);
    await deleteAudience('555');
    await t.env.admin.seed({ audiences: [{ id: '777', name: 'VIP' }] });

    const source = [person(2, ['VIP']), person(3, ['VIP'])];
    const first = await run('sync', source, pin);
    expect(outcomes(first)).toEqual({ r1: 'deleted:audience_deleted', r2: 'unchanged', r3: 'failed:pinned_audience_deleted' });
    expect(first.results.find((r) => r.id === 'r3')?.message).toMatch(/Its id is pinned \(groupIds\), so it is not created again under another id/);
    await t.env.admin.clearRequests();
    expect(outcomes(await run('sync', source, pin))).toEqual({ r2: 'unchanged', r3: 'failed:pinned_audience_deleted' });
    const log = await t.env.admin.requests();
    expect(usersCalls(log)).toEqual(['POST 555/users 400']);
    expect(creations(log)).toEqual([]);
    expect(await membersOf('777')).toEqual([]);
  });
});

describe('Graph 100 / 33 on an audience\'s /users edge', () => {
  const sdkError = (body: Record<string, unknown>) => ({ name: 'FacebookRequestError', message: String(body.message ?? ''), status: 400, response: body, headers: {}, url: 'https://graph.facebook.com/v24.0/42/users?access_token=EAAB-secret' });
  const body = {
    message: "Unsupported delete request. Object with ID '42' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
    type: 'GraphMethodException',
    code: 100,
    error_subcode: 33,
    fbtrace_id: 'AbC',
  };

  it('is audience_unreachable (not retried) on the /users edge, and stays graph_error elsewhere', () => {
    const e = toGraphError(sdkError(body), ['EAAB-secret'], 'act_1000', '42');
    expect(e).toBeInstanceOf(AudienceUnreachableError);
    expect(e).toMatchObject({ code: 'audience_unreachable', retryable: false, vendorCode: '100', audienceId: '42' });
    expect(e.message).toMatch(/audience 42 does not exist or that this token cannot reach it: Unsupported delete request.*\(code 100, subcode 33, fbtrace_id AbC\)/);
    expect(e.message).not.toContain('EAAB-secret');
    expect(toGraphError(sdkError(body), ['EAAB-secret'], 'act_1000').code).toBe('graph_error');
  });
});
