import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import type { FaultRule } from '@syncmodes/connector-kit/emulator';
import { memorySource } from '@syncmodes/connector-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { onesignalDestination } from '../src/index';
import { readUsers, startEmulator } from './onesignal-harness';

type Env = Awaited<ReturnType<typeof startEmulator>>;
let env: Env | undefined;
afterEach(async () => {
  await env?.emulator.stop();
  env = undefined;
});

/** An emulator holding users `user-1` … `user-<n>`, answering view reads with `faults`. */
async function usersWith(n: number, faults: readonly FaultRule[]): Promise<{ env: Env; ids: string[] }> {
  env = await startEmulator();
  const ids = Array.from({ length: n }, (_, i) => `user-${i + 1}`);
  await env.admin.seed({ users: ids.map((id) => ({ identity: { external_id: id }, properties: { tags: {} } })) });
  env.emulator.setFaults([...faults]);
  return { env, ids };
}

/** An enrich run setting every user's `plan` tag (lookups at `viewRateLimit` a second). */
const enrich = (target: Env, ids: readonly string[], state = new SqliteStateStore(':memory:'), viewRateLimit?: number) =>
  runSync({ collectResults: true, destination: onesignalDestination, config: { ...target.config, ...(viewRateLimit ? { viewRateLimit } : {}) }, mode: 'enrich', source: memorySource(ids.map((id) => ({ id, snapshot: { properties: { external_id: id, plan: 'pro' }, groups: [] } }))), state, retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });

const withPlan = async (target: Env) => (await readUsers(target.admin)).filter((u) => u.properties.tags.plan === 'pro').map((u) => u.identity.external_id).sort();

/**
 * View user answers 400 for one external_id (documented: `fetch_user` lists 200, 400 and 429,
 * shared/specs/onesignal-api.json; https://documentation.onesignal.com/reference/view-user).
 * The lookups go ten at a time: the 400 failed the whole batch, nine good users with it, on
 * every run (fresh trial 140, F1). A bad record fails alone.
 */
describe('OneSignal: one user whose view answers 400', () => {
  it('fails alone (invalid_request, OneSignal\'s answer quoted); the users looked up beside it are updated, and a rerun fails only it again', async () => {
    const { env: target, ids } = await usersWith(12, [{ kind: 'server_error', status: 400, method: 'GET', path: '/users/by/external_id/user-5$', body: { errors: [{ title: 'Invalid alias' }] } }]);
    const state = new SqliteStateStore(':memory:');
    const first = await enrich(target, ids, state);
    expect(first.results.filter((r) => r.outcome !== 'updated').map((r) => [r.id, r.outcome, r.code])).toEqual([['user-5', 'failed', 'invalid_request']]);
    expect(first.results.find((r) => r.id === 'user-5')?.message).toMatch(/Invalid alias/);
    expect(await withPlan(target)).toEqual(ids.filter((id) => id !== 'user-5').sort());
    // The halves: the bad user's view is asked about once per level (10 → 5 → 3 → 2 → 1), never once per user.
    const views = (await target.admin.requests()).filter((e) => e.method === 'GET' && e.path.endsWith('/user-5'));
    expect(views.length).toBeLessThanOrEqual(5);
    const second = await enrich(target, ids, state);
    expect(second.results.filter((r) => r.outcome !== 'unchanged').map((r) => [r.id, r.outcome, r.code])).toEqual([['user-5', 'failed', 'invalid_request']]);
  });
});

// Fresh trial 153, F3: one read failing after its retries (a 503) failed the whole call: the nine users read beside it failed
// with it; with a fifth of reads failing, every row of a run failed although most reads answered 200.
describe('OneSignal: users whose view keeps answering 503', () => {
  const unavailable = (n: number): FaultRule => ({ kind: 'server_error', status: 503, method: 'GET', path: `/users/by/external_id/user-${n}$` });

  it('one fails alone, retryable (server_error); the users looked up beside it are updated', async () => {
    const { env: target, ids } = await usersWith(12, [unavailable(5)]);
    const summary = await enrich(target, ids);
    expect(summary.results.filter((r) => r.outcome !== 'updated').map((r) => [r.id, r.outcome, r.code, r.retryable])).toEqual([['user-5', 'failed', 'server_error', true]]);
    expect(await withPlan(target)).toEqual(ids.filter((id) => id !== 'user-5').sort());
  });

  // Fresh reviewer 156, F1: two bad users at both ends of a part failed the good users between them, on every run.
  it.each([[1, 10], [1, 5], [3, 7]])('two (user-%i and user-%i) fail alone; the others are updated', async (a, b) => {
    const { env: target, ids } = await usersWith(12, [unavailable(a), unavailable(b)]);
    const summary = await enrich(target, ids, undefined, 1000);
    expect(summary.results.filter((r) => r.outcome !== 'updated').map((r) => r.id).sort()).toEqual([`user-${a}`, `user-${b}`].sort());
  });

  // Fresh reviewer 155, F4: with every view answering 503, each call was split down to single users: 458 reads for 20 (80 before
  // the split existed). A failing part now has its first, middle and last user read alone first: all failing, it fails whole.
  it('an outage answering 503 to every view after the first three fails every user retryable, in about the reads it took before splitting (86, not 458)', async () => {
    // After the first three reads (an outage from the start stops the run destination_unreachable after six).
    const { env: target, ids } = await usersWith(20, [{ kind: 'server_error', status: 503, method: 'GET', path: '/users/by/external_id/', after: 3 }]);
    const summary = await enrich(target, ids, undefined, 1000);
    expect(summary.results.every((r) => r.outcome === 'failed' && r.retryable === true)).toBe(true);
    expect((await target.admin.requests()).filter((e) => e.method === 'GET').length).toBeLessThanOrEqual(120);
  });
});
