import { SqliteStateStore, runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { APP_LIMIT, PER_USER_LIMIT } from '../src/emulator/index';
import { onesignalDestination } from '../src/index';
import { isConnectionCheck, readUsers, startEmulator, touchUser } from './onesignal-harness';

const person = (i: number): ConformanceRecord => ({
  id: `p${i}`,
  snapshot: { properties: { external_id: `user-${i}`, plan: 'pro' }, groups: [] },
});
const users = (n: number) => Array.from({ length: n }, (_, i) => ({ identity: { external_id: `user-${i}` }, properties: { tags: {} } }));

describe('OneSignal rate limits', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  const run = (records: ConformanceRecord[], config: Record<string, unknown> = {}, extra: Partial<RunSyncOptions> = {}) =>
    runSync({
      collectResults: true,
      destination: onesignalDestination,
      config: { ...env?.config, ...config },
      source: memorySource(records),
      state: new SqliteStateStore(':memory:'),
      ...extra,
    });

  it('a 429 for one user (Retry-After) holds that user only: the others continue and no record fails', async () => {
    // OneSignal allows one request per second per user; the emulator holds user-0's slot for 4 s
    // here, so the refusal still stands when the update comes, after the lookups.
    env = await startEmulator({ userIntervalMs: 4_000 });
    await env.admin.seed({ users: users(12) });
    // The app's own SDK has just updated user-0.
    await touchUser(env.url, 'user-0');
    const summary = await run(Array.from({ length: 12 }, (_, i) => person(i)), { userIntervalMs: 1_000 });
    expect(summary.counts).toMatchObject({ updated: 12, failed: 0 });
    expect(summary.stats.rateLimited).toBe(1);

    const log = (await env.admin.requests()).filter((e) => e.method === 'PATCH');
    const busy = log.filter((e) => e.path.endsWith('/user-0'));
    expect(busy.map((e) => e.status)).toEqual([429, 202]);
    const [refused, accepted] = busy as [(typeof busy)[0], (typeof busy)[0]];
    const others = log.filter((e) => !e.path.endsWith('/user-0'));
    expect(others.map((e) => e.status)).toEqual(Array(11).fill(202));
    // Every other user was updated while user-0 waited for its Retry-After.
    expect(others.every((e) => e.seq > refused.seq && e.seq < accepted.seq)).toBe(true);
    expect((await readUsers(env.admin)).every((u) => u.properties.tags.plan === 'pro')).toBe(true);
  });

  it('an app-wide 429 holds every queued call for Retry-After; no record fails', async () => {
    env = await startEmulator({ appWrites: 5 });
    await env.admin.seed({ users: users(12) });
    const summary = await run(Array.from({ length: 12 }, (_, i) => person(i)), { concurrency: 4 });
    expect(summary.counts).toMatchObject({ updated: 12, failed: 0 });
    const log = (await env.admin.requests()).filter((e) => e.method === 'PATCH');
    const refusals = log.filter((e) => e.status === 429);
    expect(refusals.length).toBeGreaterThan(0);
    expect(log.filter((e) => e.status === 202)).toHaveLength(12);
    expect(summary.stats.rateLimited).toBeGreaterThan(0);
  });

  it('names the per-user limit in its 429 the way OneSignal does, and the app-wide one not', async () => {
    env = await startEmulator({ userIntervalMs: 1_000, appWrites: 1 });
    await env.admin.seed({ users: users(2) });
    const patch = (id: string) =>
      fetch(`${env?.url}/apps/${env?.config.appId}/users/by/external_id/${id}`, {
        method: 'PATCH',
        headers: { authorization: `Key ${env?.config.restApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { tags: { a: '1' } } }),
      });
    expect((await patch('user-0')).status).toBe(202);
    const perUser = await patch('user-0');
    expect(perUser.status).toBe(429);
    expect(perUser.headers.get('retry-after')).toBe('1');
    // OneSignal's 429 body is a list of strings: https://documentation.onesignal.com/reference/rate-limits ,
    // with the limit named ("App ID" app-wide: https://documentation.onesignal.com/reference/update-user 429 example).
    expect(await perUser.json()).toEqual({ errors: ['API rate limit exceeded.'], limit: PER_USER_LIMIT });
    const appWide = await patch('user-1');
    expect(appWide.status).toBe(429);
    expect(await appWide.json()).toEqual({ errors: ['API rate limit exceeded.'], limit: APP_LIMIT });
  });

  it('paces the app-wide limit from answers: requests delayed on their way in never push a second over the limit', async () => {
    env = await startEmulator({ appWrites: 40, windowMs: 1_000, userIntervalMs: 1_000 });
    await env.admin.seed({ users: users(160) });
    // A third of the requests reach OneSignal 30 ms late (as over a real network): counted from when they were sent, they would bunch up.
    await env.admin.setFaults([{ kind: 'latency', method: 'PATCH', rate: 0.33, latencyMs: 30 }], 7);
    const summary = await run(Array.from({ length: 160 }, (_, i) => person(i)), { appRateLimit: 40 });
    expect(summary.counts).toMatchObject({ updated: 160, failed: 0 });
    const log = (await env.admin.requests()).filter((e) => e.method === 'PATCH');
    expect(log.filter((e) => e.status === 429)).toHaveLength(0);
    expect(log.filter((e) => e.status === 202)).toHaveLength(160);
    expect(summary.stats.rateLimited).toBe(0);
  }, 30_000);

  it('reads users at OneSignal\'s documented rate for view endpoints: a burst of 10, then 1 a second (emulator)', async () => {
    // "View endpoints (messages, templates, users): 1 request/sec/app, up to 10 look-back requests/sec"
    // https://documentation.onesignal.com/reference/rate-limits
    env = await startEmulator({ appViews: 1, viewBurst: 10 });
    await env.admin.seed({ users: users(1) });
    const view = () => fetch(`${env?.url}/apps/${env?.config.appId}/users/by/external_id/user-0`, { headers: { authorization: `Key ${env?.config.restApiKey}` } });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await view()).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    const refused = await view();
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ errors: ['API rate limit exceeded.'], limit: APP_LIMIT });
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await view()).status).toBe(200);
  });

  it('the connector keeps its lookups at viewRateLimit (1/s by default) so OneSignal never refuses one', async () => {
    // OneSignal's documented read rate on both sides (1/s per app, bursts of 10): https://documentation.onesignal.com/reference/rate-limits
    env = await startEmulator({ appViews: 1, viewBurst: 10 });
    await env.admin.seed({ users: users(12) });
    const summary = await run(Array.from({ length: 12 }, (_, i) => person(i)), { viewRateLimit: 1 });
    expect(summary.counts).toMatchObject({ updated: 12, failed: 0 });
    expect(summary.stats.rateLimited).toBe(0);
    const gets = (await env.admin.requests()).filter((e) => e.method === 'GET');
    // `connect`'s read (proving the key and app) is paced with the lookups: none refused.
    expect(gets.map((e) => e.status)).toEqual([404, ...Array(12).fill(200)]);
    const reads = gets.filter((e) => !isConnectionCheck(e));
    expect(reads).toHaveLength(12);
    // Started a second apart: 12 reads span at least 11 s (single arrivals jitter by some ms under load).
    const span = (reads[11] as (typeof reads)[0]).at - (reads[0] as (typeof reads)[0]).at;
    expect(span).toBeGreaterThanOrEqual(10_800);
  }, 60_000);
});
