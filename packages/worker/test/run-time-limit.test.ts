import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_QUEUE } from '../src/index';
import { finishedRuns, peopleCsv, tempDir, waitFor } from './support/helpers';
import { testDefinition } from './support/test-runner';
import { workerEnv } from './support/worker-env';

// Fresh trial 145, F2: a run longer than maxRunSeconds was stopped by pg-boss and recorded `interrupted` ("the next run
// continues"), each attempt alike, until its job was dead-lettered without a word of why, and nobody was notified.
const POLICY = { heartbeatSeconds: 10, retryDelaySeconds: 1, maxRunSeconds: 4, retryLimit: 1 };
const t = workerEnv('run_time_limit', POLICY);
const dir = tempDir();

describe('a run longer than maxRunSeconds', () => {
  it('is recorded stopped run_time_exceeded (saying whether its job is retried), notified; each attempt continues from state; the last goes to the dead-letter queue', async () => {
    t.emulator.setFaults([{ kind: 'latency', latencyMs: 700, path: '^/(?!__emulator)' }]);
    const definition = testDefinition('long', { mode: 'additive', from: peopleCsv(dir, 'long', 0, 40), instanceUrl: t.instanceUrl, windowSize: 1 });
    await t.queue.enqueue(definition);
    const runs = await waitFor('two attempts', async () => {
      const ended = await finishedRuns(t.state, 'long');
      return ended.length >= 2 ? ended : undefined;
    }, 90_000);
    expect(runs.map((r) => [r.status, r.reason?.code])).toEqual([
      ['stopped', 'run_time_exceeded'],
      ['stopped', 'run_time_exceeded'],
    ]);
    const messages = runs.map((r) => r.reason?.message ?? '');
    expect(messages.some((m) => /maxRunSeconds: 4 s.*pg-boss retries its job/.test(m))).toBe(true);
    expect(messages.some((m) => /No retry was left: its job went to the dead-letter queue/.test(m))).toBe(true);
    // Each attempt wrote some people; the second went on from the first (nobody twice).
    const written = t.emulator.org.all('Contact').length;
    expect(written).toBeGreaterThan(runs[0]?.counts.created ?? 0);
    expect(new Set(t.emulator.org.all('Contact').map((c) => String(c.Email))).size).toBe(written);
    const dead = await waitFor('the dead letter', async () => ((await t.boss.findJobs(DEAD_LETTER_QUEUE, {})).length > 0 ? true : undefined), 30_000);
    expect(dead).toBe(true);
    const notes = await waitFor('two notifications', async () => {
      const mine = t.hook.received.map((n) => n.body).filter((b) => b.sync === 'long');
      return mine.length >= 2 ? mine : undefined;
    }, 30_000);
    expect(notes.map((n) => [n.event, n.reason?.code]).sort()).toEqual([
      ['run_stopped', 'run_time_exceeded'],
      ['run_stopped', 'run_time_exceeded'],
    ]);
    expect(notes.map((n) => n.willRetry).sort()).toEqual([false, true]);
  }, 150_000);
});
