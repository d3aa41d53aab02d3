import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture } from '../../../tools/test/fixture-process';
import { startEmulator } from './onesignal-harness';

const FIXTURE = fileURLToPath(new URL('./fixtures/hung-run.ts', import.meta.url));

/** #17 item 5: every request has a timeout that also closes its socket, so a hung destination cannot keep the process alive. */
describe('a destination that never answers (#17)', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  // `timeout`: no answer at all; `stalled_body`: the answer's headers and first bytes, then nothing (second trial of stop 26).
  it.each(['timeout', 'stalled_body'] as const)('%s: the run ends with its timeouts and the process exits by itself while the route still hangs', async (kind) => {
    env = await startEmulator();
    await env.admin.seed({ users: [1, 2].map((i) => ({ identity: { external_id: `user-${i}` } })) });
    // The view-user route holds every lookup of a record for 10 minutes without answering (`connect`'s read is answered).
    await env.admin.setFaults([{ kind, method: 'GET', path: '/users/by/external_id/user-', latencyMs: 600_000 }]);
    const started = Date.now();
    const run = await runFixture(FIXTURE, env.url);
    expect(run.code, run.stderr).toBe(0);
    const summary = run.lastLine<{ codes: string[] }>();
    expect(summary.codes).toHaveLength(2);
    expect(summary.codes.every((c) => /timeout|abort/i.test(c))).toBe(true);
    expect((Date.now() - started) / 1000).toBeLessThan(60);
    const faults = (await (await fetch(`${env.url}/__emulator/faults`)).json()) as { injected: Record<typeof kind, number> };
    expect(faults.injected[kind]).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('500 users at OneSignal\'s read pace of one a second and 50 calls in flight: the run stops destination_unreachable within seconds, not after every queued read has waited its turn (trial of stop 27: still running after 15 minutes)', async () => {
    env = await startEmulator();
    await env.admin.setFaults([{ kind: 'timeout', method: 'GET', path: '/users/by/external_id/user-', latencyMs: 600_000 }]);
    const started = Date.now();
    process.env.SYNCMODES_TEST_USERS = '500';
    const run = await runFixture(FIXTURE, env.url).finally(() => delete process.env.SYNCMODES_TEST_USERS);
    expect(run.code, run.stderr).toBe(0);
    const summary = run.lastLine<{ status: string; reason?: string; codes: string[] }>();
    expect(summary).toMatchObject({ status: 'stopped', reason: 'destination_unreachable' });
    expect(summary.codes).toHaveLength(500);
    expect((Date.now() - started) / 1000).toBeLessThan(60);
    // A handful of reads went out (one a second); the rest failed in the queue with the first that got no answer.
    const faults = (await (await fetch(`${env.url}/__emulator/faults`)).json()) as { injected: { timeout: number } };
    expect(faults.injected.timeout).toBeLessThan(30);
  }, 120_000);
});
