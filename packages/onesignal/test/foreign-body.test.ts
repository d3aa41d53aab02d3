import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { onesignalDestination } from '../src/index';
import { readUsers, startEmulator } from './onesignal-harness';

/** An update answered 200 with an HTML page instead of the user's properties (a proxy, a login page): second trial of stop 31, counted as written. */
describe('OneSignal: an update answered with a page instead of the user', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('fails unexpected_response and is sent again (an update repeats harmlessly): the tags are written, every row accounted', async () => {
    env = await startEmulator();
    await env.admin.seed({ users: [0, 1, 2].map((i) => ({ identity: { external_id: `user-${i}` }, properties: { tags: {} } })) });
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'PATCH', path: '/users/by/external_id/user-1$', times: 1 }]);
    const source = memorySource([0, 1, 2].map((i) => ({ id: `p${i}`, snapshot: { properties: { external_id: `user-${i}`, plan: 'pro' }, groups: [] } })));
    const summary = await runSync({ collectResults: true, destination: onesignalDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(env.emulator.faults.injected.foreign_body).toBe(1);
    expect(summary.counts).toMatchObject({ updated: 3, failed: 0 });
    const patches = (await env.admin.requests()).filter((e) => e.method === 'PATCH' && e.path.endsWith('/user-1'));
    expect(patches).toHaveLength(2);
    expect((await readUsers(env.admin)).every((u) => u.properties.tags.plan === 'pro')).toBe(true);
  });

  it('an answer past SYNCMODES_MAX_ANSWER_BYTES is not read to its end: unexpected_response, retried, then the run stops with a summary naming the size (trial 20b N6: a gzip bomb took the CLI to 6.6 GB)', async () => {
    process.env.SYNCMODES_MAX_ANSWER_BYTES = '100000';
    try {
      env = await startEmulator();
      await env.admin.seed({ users: [{ identity: { external_id: 'user-0' }, properties: { tags: {} } }] });
      env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/users/by/external_id/user-0$', body: { identity: { external_id: 'user-0' }, padding: 'x'.repeat(300_000) } }]);
      const source = memorySource([{ id: 'p0', snapshot: { properties: { external_id: 'user-0', plan: 'pro' }, groups: [] } }]);
      const summary = await runSync({ collectResults: true, destination: onesignalDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
      expect(JSON.stringify(summary)).toMatch(/OneSignal sent an answer larger than 100,000 bytes/);
      expect(summary.counts.updated).toBe(0);
      expect((await readUsers(env.admin))[0]?.properties.tags.plan).toBeUndefined();
    } finally {
      delete process.env.SYNCMODES_MAX_ANSWER_BYTES;
    }
  });

  it('an answer past 16 MiB is not read to its end whatever SYNCMODES_MAX_ANSWER_BYTES allows: ten lookups at once of 256 MiB each took the CLI to 4.1 GB (re-check of trial 20b N6)', async () => {
    env = await startEmulator();
    await env.admin.seed({ users: [{ identity: { external_id: 'user-0' }, properties: { tags: {} } }] });
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/users/by/external_id/user-0$', body: { identity: { external_id: 'user-0' }, padding: 'x'.repeat(17 * 1024 * 1024) } }]);
    const source = memorySource([{ id: 'p0', snapshot: { properties: { external_id: 'user-0', plan: 'pro' }, groups: [] } }]);
    const summary = await runSync({ collectResults: true, destination: onesignalDestination, config: env.config, source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20, retries: 1 } });
    expect(JSON.stringify(summary)).toMatch(/OneSignal sent an answer larger than 16,777,216 bytes/);
  });

  it.each([['a page', undefined], ['[]', []], ['another object', { hello: 'world' }], ['another user', { identity: { external_id: 'user-9' }, properties: {} }]])('a view-user answer that does not name the user (%s) fails unexpected_response and is asked again (trial 20b N8: read as "the user exists")', async (_name, body) => {
    env = await startEmulator();
    await env.admin.seed({ users: [{ identity: { external_id: 'user-0' }, properties: { tags: {} } }] });
    env.emulator.setFaults([{ kind: 'foreign_body', method: 'GET', path: '/users/by/external_id/user-(0|1)$', times: 2, ...(body === undefined ? {} : { body }) }]);
    const source = memorySource([0, 1].map((i) => ({ id: `p${i}`, snapshot: { properties: { external_id: `user-${i}`, plan: 'pro' }, groups: [] } })));
    const summary = await runSync({ collectResults: true, destination: onesignalDestination, config: env.config, mode: 'enrich', source, state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(env.emulator.faults.injected.foreign_body).toBe(2);
    expect(summary.results.map((r) => [r.id, r.outcome])).toEqual([['p0', 'updated'], ['p1', 'skipped']]);
    expect((await env.admin.requests()).filter((e) => e.method === 'PATCH' && e.path.endsWith('/user-1'))).toHaveLength(0);
  });
});
