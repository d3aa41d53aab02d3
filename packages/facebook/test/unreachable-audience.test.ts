import { runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { facebookDestination, sha256Hex } from '../src/index';
import { emailOf, startFacebook } from './facebook-harness';
import { objectMissing, startGraphProxy, throttled, tokenExpired, unavailable } from './graph-proxy';
import { FAST_RETRY } from './helpers';

// 100 / 33 on an audience's /users edge when the token lost access (Meta's error reference:
// https://developers.facebook.com/docs/marketing-api/error-reference), when the listing made
// to tell a deleted audience from an unreachable one fails too, and audiences of another ad
// account pinned through groupIds. A proxy in front of the emulator gives Graph's answers to a
// token that lost access (see graph-proxy.ts).

const person = (i: number, audiences: string[]): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i) }, groups: audiences } });
type Summary = Awaited<ReturnType<typeof runSync>>;
const tally = (s: Summary) => s.results.reduce<Record<string, number>>((m, r) => {
  const k = r.code ? `${r.outcome}:${r.code}` : r.outcome;
  m[k] = (m[k] ?? 0) + 1;
  return m;
}, {});
const isListing = (line: string) => /^GET \S+\/act_\d+\/customaudiences /.test(line);
const isUsersLine = (line: string) => / \S+\/users /.test(line);

describe('an audience the token cannot reach, and audiences of another ad account (emulator behind a proxy, official SDK over HTTP)', () => {
  const t = perTestEmulator(() => startFacebook());
  const proxies: Awaited<ReturnType<typeof startGraphProxy>>[] = [];
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  const proxy = async () => {
    const p = await startGraphProxy(t.env.baseUrl);
    proxies.push(p);
    return p;
  };
  const run = (mode: string, records: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}, config: Record<string, unknown> = {}) =>
    runSync({ collectResults: true, destination: facebookDestination, config: { ...t.env.config, ...config }, mode, source: memorySource(records), state: t.state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000 }, ...extra });
  const audiences = async () => (await t.env.admin.records<FacebookEmulatorData>()).audiences;
  const membersOf = async (id: string) => ((await audiences()).find((a) => a.id === id)?.members.map((m) => m.EMAIL ?? '') ?? []).sort();
  const hashes = (ids: number[]) => ids.map((i) => sha256Hex(emailOf(i))).sort();
  const everyone = (n: number) => Array.from({ length: n }, (_, i) => person(i + 1, ['VIP']));

  it('the token loses access to the whole ad account (100 / 33 on the audience and on act_<id>): one request and one listing, the removals stay pending with both answers, never split', async () => {
    await run('sync', everyone(16));
    const [vip] = await audiences();
    const p = await proxy();
    let listings = 0;
    p.hooks.answer = (r) => {
      if (r.path.endsWith('/customaudiences') && ++listings > 1) return objectMissing('act_1000', r.method);
      if (listings >= 1 && r.path.endsWith('/users')) return objectMissing(vip!.id, r.method);
      return undefined;
    };
    const during = await run('sync', [person(1, ['VIP'])], {}, { baseUrl: p.url });
    expect(during.status).toBe('completed');
    expect(tally(during)).toEqual({ unchanged: 1, 'failed:audience_unreachable': 15 });
    const r2 = during.results.find((r) => r.id === 'r2');
    expect(r2?.retryable).toBe(false);
    expect(r2?.message).toMatch(/does not exist or that this token cannot reach it: Unsupported delete request.*subcode 33.*listing the audiences of the ad account act_1000 failed too \(.*Object with ID 'act_1000'.*subcode 33.*\) Check that the token's \(system\) user can still reach the ad account act_1000/);
    // One /users request and one listing after it (the start-of-run check listed first): the chunk was not split.
    expect(p.log.filter(isUsersLine)).toEqual([`DELETE /v24.0/${vip!.id}/users 400 (proxy)`]);
    expect(p.log.filter(isListing)).toHaveLength(2);
    expect(await membersOf(vip!.id)).toHaveLength(16);

    // Access restored: the next run removes the 15, nothing was dropped.
    p.hooks.answer = undefined;
    const after = await run('sync', [person(1, ['VIP'])], {}, { baseUrl: p.url });
    expect(tally(after)).toEqual({ unchanged: 1, deleted: 15 });
    expect(await membersOf(vip!.id)).toEqual(hashes([1]));
  });

  it('a listing that keeps failing 503 after the 100 / 33: the listing is retried, the /users request is not; the members stay pending (retryable) with the 100 / 33 in their message', async () => {
    await run('sync', [person(1, ['VIP']), person(2, ['VIP'])]);
    const [vip] = await audiences();
    const p = await proxy();
    let refused = false;
    p.hooks.answer = (r) => {
      if (r.path.endsWith('/users')) return ((refused = true), objectMissing(vip!.id, r.method));
      return refused && r.path.endsWith('/customaudiences') ? unavailable() : undefined;
    };
    const during = await run('sync', [person(1, ['VIP']), person(3, ['VIP'])], {}, { baseUrl: p.url });
    expect(tally(during)).toEqual({ unchanged: 1, 'failed:facebook_unavailable': 2 });
    for (const id of ['r2', 'r3']) {
      expect(during.results.find((r) => r.id === id)).toMatchObject({ retryable: true, message: expect.stringMatching(/subcode 33.*listing the audiences of the ad account act_1000 failed too \(Facebook had a temporary problem/) });
    }
    // The addition's /users request only (the leaver's removal, later in the run, got the same answer without one); the listings were retried.
    expect(p.log.filter(isUsersLine)).toEqual([`POST /v24.0/${vip!.id}/users 400 (proxy)`]);
    expect(p.log.filter(isListing).length).toBeGreaterThan(3);
  });

  it('an expired token on the listing after a 100 / 33 stops the run', async () => {
    await run('sync', [person(1, ['VIP']), person(2, ['VIP'])]);
    const [vip] = await audiences();
    const p = await proxy();
    let listings = 0;
    p.hooks.answer = (r) => {
      if (r.path.endsWith('/customaudiences') && ++listings > 1) return tokenExpired();
      if (listings >= 1 && r.path.endsWith('/users')) return objectMissing(vip!.id, r.method);
      return undefined;
    };
    const during = await run('sync', [person(1, ['VIP'])], {}, { baseUrl: p.url });
    expect(during.status).not.toBe('completed');
    expect(JSON.stringify(during)).toContain('authentication_failed');
    expect(p.log.filter(isUsersLine)).toHaveLength(1);
    expect(await membersOf(vip!.id)).toHaveLength(2);
  });

  it('deleted mid-run, many chunks: one /users request and one listing; a rate-limited listing is retried without resending the /users request', async () => {
    await run('sync', everyone(10));
    const [vip] = await audiences();
    const p = await proxy();
    let deleted = false;
    let throttledListings = 0;
    // Deleted in Ads Manager just before the first /users request; the next three listings are throttled.
    p.hooks.answer = async (r) => {
      if (r.path.endsWith('/users') && !deleted) {
        deleted = true;
        await fetch(`${t.env.baseUrl}/v24.0/${vip!.id}?access_token=${String(t.env.config.accessToken)}`, { method: 'DELETE' });
      }
      return deleted && r.path.endsWith('/customaudiences') && throttledListings++ < 3 ? throttled() : undefined;
    };
    await t.env.admin.clearRequests();
    const source = [...everyone(10).slice(0, 5), ...Array.from({ length: 5 }, (_, i) => person(100 + i, ['VIP']))];
    const during = await run('sync', source, {}, { baseUrl: p.url, removeBatchSize: 1, addBatchSize: 1, uploadSessionSize: 1, concurrency: 1 });
    expect(tally(during)).toEqual({ unchanged: 5, 'deleted:audience_deleted': 5, 'skipped:audience_deleted': 5 });
    const log = await t.env.admin.requests();
    // The first add only: the other adds and the leavers' removals got the same answer without a request.
    expect(log.filter((e) => e.path.endsWith('/users')).map((e) => `${e.method} ${e.status}`)).toEqual(['POST 400']);
    // After it: three throttled listings (answered by the proxy), then the one that answered.
    const sent = p.log.findIndex(isUsersLine);
    expect(p.log.slice(sent).filter(isListing)).toEqual([...Array<string>(3).fill('GET /v24.0/act_1000/customaudiences 400 (proxy)'), 'GET /v24.0/act_1000/customaudiences 200']);
  });

  it('groupIds pins an audience of another ad account: read once per run, nothing sent (audience_in_other_account), not retried', async () => {
    await t.env.admin.seed({ audiences: [{ id: '888', name: 'VIP', accountId: 'act_2000' }] });
    const pin = { groupIds: { VIP: '888' } };
    await t.env.admin.clearRequests();
    const first = await run('sync', [person(1, ['VIP']), person(2, ['VIP'])], pin, { addBatchSize: 1, uploadSessionSize: 1 });
    expect(tally(first)).toEqual({ 'failed:audience_in_other_account': 2 });
    expect(first.results[0]).toMatchObject({ retryable: false, message: expect.stringMatching(/Audience 888 \("VIP"\) belongs to the ad account act_2000, not to act_1000: nothing is sent to it/) });
    const log = await t.env.admin.requests();
    expect(log.filter((e) => e.path.endsWith('/users'))).toEqual([]);
    expect(log.filter((e) => e.method === 'GET' && e.path === '/v24.0/888')).toHaveLength(1);
    expect(await membersOf('888')).toEqual([]);
  });
});
