import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runFixture } from '../../../tools/test/fixture-process';
import { startFacebook } from './facebook-harness';

const FIXTURE = fileURLToPath(new URL('./fixtures/hung-run.ts', import.meta.url));
const INTERRUPTED = fileURLToPath(new URL('./fixtures/hung-interrupted-run.ts', import.meta.url));

/** #17 item 5: every request has a timeout that also closes its socket, so a hung destination cannot keep the process alive. */
describe('a destination that never answers (#17)', () => {
  let env: Awaited<ReturnType<typeof startFacebook>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  // `timeout`: no answer at all; `stalled_body`: the answer's headers and first bytes, then nothing (second trial of stop 26).
  it.each(['timeout', 'stalled_body'] as const)('%s: the run ends with its timeouts and the process exits by itself while the route still hangs', async (kind) => {
    env = await startFacebook();
    await env.admin.seed({ audiences: [{ name: 'Hung' }] });
    // The add route holds every request for 10 minutes without answering.
    await env.admin.setFaults([{ kind, method: 'POST', path: '/users$', latencyMs: 600_000 }]);
    const started = Date.now();
    const run = await runFixture(FIXTURE, env.baseUrl);
    const seconds = (Date.now() - started) / 1000;
    expect(run.code, run.stderr).toBe(0);
    const summary = run.lastLine<{ status: string; codes: string[] }>();
    expect(summary.codes).toEqual(['timeout', 'timeout']);
    // Started a process, compiled TypeScript, timed out twice per request: well under the 10 minutes the route holds.
    expect(seconds).toBeLessThan(60);
    // The emulator is still holding those requests (they enter its log only when released).
    const faults = (await (await fetch(`${env.baseUrl}/__emulator/faults`)).json()) as { injected: Record<typeof kind, number> };
    expect(faults.injected[kind]).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('an interrupted run cancels the request it abandons: with a 10-minute request timeout, the process still exits by itself (issue #17 item 3)', async () => {
    env = await startFacebook();
    await env.admin.seed({ audiences: [{ name: 'Hung' }] });
    await env.admin.setFaults([{ kind: 'timeout', method: 'POST', path: '/users$', latencyMs: 600_000 }]);
    // Bounded by this test's timeout: an open socket would keep the process alive for the 10-minute request timeout.
    const run = await runFixture(INTERRUPTED, env.baseUrl);
    expect(run.code, run.stderr).toBe(0);
    expect(run.lastLine()).toEqual({ status: 'stopped', reason: 'interrupted', codes: ['not_sent', 'not_sent'] });
  }, 90_000);
});
