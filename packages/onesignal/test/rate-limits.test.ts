import { SqliteStateStore, runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { PER_USER_LIMIT } from '../src/emulator/index';
import { onesignalDestination } from '../src/index';
import { readUsers, startEmulator, touchUser } from './onesignal-harness';

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
    env = await startEmulator({ userIntervalMs: 1_000 });
    await env.admin.seed({ users: users(12) });
    // The app's own SDK has just updated user-0: OneSignal allows one request per second per user.
    await touchUser(env.url, 'user-0');
    const summary = await run(Array.from({ length: 12 }, (_, i) => person(i)));
    expect(summary.counts).toMatchObject({ updated: 12, failed: 0 });
    expect(summary.stats.rateLimited).toBe(1);

    const log = await env.admin.requests();
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
    const log = await env.admin.requests();
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
    expect(await perUser.json()).toEqual({ errors: [{ title: 'API rate limit exceeded.' }], limit: PER_USER_LIMIT });
    const appWide = await patch('user-1');
    expect(appWide.status).toBe(429);
    expect(await appWide.json()).toEqual({ errors: [{ title: 'API rate limit exceeded.' }] });
  });

  it('paces the app-wide limit from answers: requests delayed on their way in never push a second over the limit', async () => {
    env = await startEmulator({ appWrites: 40, windowMs: 1_000, userIntervalMs: 1_000 });
    await env.admin.seed({ users: users(160) });
    // A third of the requests reach OneSignal 30 ms late (as over a real network): counted from when they were sent, they would bunch up.
    await env.admin.setFaults([{ kind: 'latency', method: 'PATCH', rate: 0.33, latencyMs: 30 }], 7);
    const summary = await run(Array.from({ length: 160 }, (_, i) => person(i)), { appRateLimit: 40 });
    expect(summary.counts).toMatchObject({ updated: 160, failed: 0 });
    const log = await env.admin.requests();
    expect(log.filter((e) => e.status === 429)).toHaveLength(0);
    expect(log.filter((e) => e.status === 202)).toHaveLength(160);
    expect(summary.stats.rateLimited).toBe(0);
  }, 30_000);
});
