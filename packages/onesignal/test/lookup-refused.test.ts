import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { onesignalDestination } from '../src/index';
import { readUsers, startEmulator } from './onesignal-harness';

/**
 * View user answers 400 for one external_id (documented: `fetch_user` lists 200, 400 and 429,
 * shared/specs/onesignal-api.json; https://documentation.onesignal.com/reference/view-user).
 * The lookups go ten at a time: the 400 failed the whole batch, nine good users with it, on
 * every run (fresh trial 140, F1). A bad record fails alone.
 */
describe('OneSignal: one user whose view answers 400', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('fails alone (invalid_request, OneSignal\'s answer quoted); the users looked up beside it are updated, and a rerun fails only it again', async () => {
    env = await startEmulator();
    const ids = Array.from({ length: 12 }, (_, i) => `user-${i + 1}`);
    await env.admin.seed({ users: ids.map((id) => ({ identity: { external_id: id }, properties: { tags: {} } })) });
    env.emulator.setFaults([{ kind: 'server_error', status: 400, method: 'GET', path: '/users/by/external_id/user-5$', body: { errors: [{ title: 'Invalid alias' }] } }]);
    const state = new SqliteStateStore(':memory:');
    const run = () =>
      runSync({ collectResults: true, destination: onesignalDestination, config: env!.config, mode: 'enrich', source: memorySource(ids.map((id) => ({ id, snapshot: { properties: { external_id: id, plan: 'pro' }, groups: [] } }))), state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    const first = await run();
    expect(first.results.filter((r) => r.outcome !== 'updated').map((r) => [r.id, r.outcome, r.code])).toEqual([['user-5', 'failed', 'invalid_request']]);
    expect(first.results.find((r) => r.id === 'user-5')?.message).toMatch(/Invalid alias/);
    const users = await readUsers(env.admin);
    expect(users.filter((u) => u.properties.tags.plan === 'pro').map((u) => u.identity.external_id).sort()).toEqual(ids.filter((id) => id !== 'user-5').sort());
    // The halves: the bad user's view is asked about once per level (10 → 5 → 3 → 2 → 1), never once per user.
    const views = (await env.admin.requests()).filter((e) => e.method === 'GET' && e.path.endsWith('/user-5'));
    expect(views.length).toBeLessThanOrEqual(5);
    const second = await run();
    expect(second.results.filter((r) => r.outcome !== 'unchanged').map((r) => [r.id, r.outcome, r.code])).toEqual([['user-5', 'failed', 'invalid_request']]);
  });
});

// Fresh trial 153, F3: one read failing after its retries (a 503) failed the whole call: the nine users read beside it failed
// with it; with a fifth of reads failing, every row of a run failed although most reads answered 200.
describe('OneSignal: one user whose view keeps answering 503', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  it('fails alone, retryable (server_error); the users looked up beside it are updated', async () => {
    env = await startEmulator();
    const ids = Array.from({ length: 12 }, (_, i) => `user-${i + 1}`);
    await env.admin.seed({ users: ids.map((id) => ({ identity: { external_id: id }, properties: { tags: {} } })) });
    env.emulator.setFaults([{ kind: 'server_error', status: 503, method: 'GET', path: '/users/by/external_id/user-5$' }]);
    const state = new SqliteStateStore(':memory:');
    const summary = await runSync({ collectResults: true, destination: onesignalDestination, config: env.config, mode: 'enrich', source: memorySource(ids.map((id) => ({ id, snapshot: { properties: { external_id: id, plan: 'pro' }, groups: [] } }))), state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(summary.results.filter((r) => r.outcome !== 'updated').map((r) => [r.id, r.outcome, r.code, r.retryable])).toEqual([['user-5', 'failed', 'server_error', true]]);
    const users = await readUsers(env.admin);
    expect(users.filter((u) => u.properties.tags.plan === 'pro').map((u) => u.identity.external_id).sort()).toEqual(ids.filter((id) => id !== 'user-5').sort());
  });

  // Fresh reviewer 156, F1: two bad users at both ends of a part failed the good users between them, on every run.
  it.each([[1, 10], [1, 5], [3, 7]])('two users whose views keep answering 503 (user-%i and user-%i) fail alone; the others are updated', async (a, b) => {
    env = await startEmulator();
    const ids = Array.from({ length: 12 }, (_, i) => `user-${i + 1}`);
    await env.admin.seed({ users: ids.map((id) => ({ identity: { external_id: id }, properties: { tags: {} } })) });
    env.emulator.setFaults([a, b].map((n) => ({ kind: 'server_error' as const, status: 503, method: 'GET', path: `/users/by/external_id/user-${n}$` })));
    const summary = await runSync({ collectResults: true, destination: onesignalDestination, config: { ...env.config, viewRateLimit: 1000 }, mode: 'enrich', source: memorySource(ids.map((id) => ({ id, snapshot: { properties: { external_id: id, plan: 'pro' }, groups: [] } }))), state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(summary.results.filter((r) => r.outcome !== 'updated').map((r) => r.id).sort()).toEqual([`user-${a}`, `user-${b}`].sort());
  });

  // Fresh reviewer 155, F4: with every view answering 503, each call was split down to single users: 458 reads for 20 (80 before
  // the split existed). Each failing part now has its first and then its last user read alone: both failing, it fails whole.
  it('an outage answering 503 to every view after the first three fails every user retryable, in about the reads it took before splitting (84, not 458)', async () => {
    env = await startEmulator();
    const ids = Array.from({ length: 20 }, (_, i) => `user-${i + 1}`);
    await env.admin.seed({ users: ids.map((id) => ({ identity: { external_id: id }, properties: { tags: {} } })) });
    // After the first three reads (an outage from the start stops the run destination_unreachable after six).
    env.emulator.setFaults([{ kind: 'server_error', status: 503, method: 'GET', path: '/users/by/external_id/', after: 3 }]);
    const summary = await runSync({ collectResults: true, destination: onesignalDestination, config: { ...env.config, viewRateLimit: 1000 }, mode: 'enrich', source: memorySource(ids.map((id) => ({ id, snapshot: { properties: { external_id: id, plan: 'pro' }, groups: [] } }))), state: new SqliteStateStore(':memory:'), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(summary.results.every((r) => r.outcome === 'failed' && r.retryable === true)).toBe(true);
    expect((await env.admin.requests()).filter((e) => e.method === 'GET').length).toBeLessThanOrEqual(120);
  });
});
