import { PostgresStateStore } from '@syncmodes/postgres';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEAD_LETTER_QUEUE, startWorker, SyncQueue, type RunningWorker } from '../src/index';
import { finishedRuns, notificationHook, peopleCsv, tempDir, waitFor } from './support/helpers';
import { testDefinition, testRunner } from './support/test-runner';

// Fresh trial 145, F2: a run longer than maxRunSeconds was stopped by pg-boss and recorded `interrupted` ("the next run
// continues"), each attempt alike, until its job was dead-lettered without a word of why, and nobody was notified.
const POLICY = { heartbeatSeconds: 10, retryDelaySeconds: 1, maxRunSeconds: 4, retryLimit: 1 };
let url: string;
let state: PostgresStateStore;
let queue: SyncQueue;
let boss: PgBoss;
let worker: RunningWorker;
let emulator: ReturnType<typeof createSalesforceEmulator>;
let instanceUrl: string;
let hook: Awaited<ReturnType<typeof notificationHook>>;
const dir = tempDir();

beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'run_time_limit');
  emulator = createSalesforceEmulator();
  instanceUrl = await emulator.start();
  hook = await notificationHook();
  state = await PostgresStateStore.open(url);
  queue = await SyncQueue.open(url, { policy: POLICY });
  boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
  await boss.start();
  worker = await startWorker({ url, runner: testRunner, destinations: ['salesforce'], pollingIntervalSeconds: 0.5, policy: POLICY, notifyUrl: hook.url('/hook') });
});
afterAll(async () => {
  await worker?.stop(10_000);
  await boss?.stop({ graceful: false });
  await queue?.close();
  await state?.close();
  await emulator?.stop();
  await hook?.close();
});

describe('a run longer than maxRunSeconds', () => {
  it('is recorded stopped run_time_exceeded (saying whether its job is retried), notified; each attempt continues from state; the last goes to the dead-letter queue', async () => {
    emulator.setFaults([{ kind: 'latency', latencyMs: 700, path: '^/(?!__emulator)' }]);
    const definition = testDefinition('long', { mode: 'additive', from: peopleCsv(dir, 'long', 0, 40), instanceUrl, windowSize: 1 });
    await queue.enqueue(definition);
    const runs = await waitFor('two attempts', async () => {
      const ended = await finishedRuns(state, 'long');
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
    const written = emulator.org.all('Contact').length;
    expect(written).toBeGreaterThan(runs[0]?.counts.created ?? 0);
    expect(new Set(emulator.org.all('Contact').map((c) => String(c.Email))).size).toBe(written);
    const dead = await waitFor('the dead letter', async () => ((await boss.findJobs(DEAD_LETTER_QUEUE, {})).length > 0 ? true : undefined), 30_000);
    expect(dead).toBe(true);
    const notes = await waitFor('two notifications', async () => {
      const mine = hook.received.map((n) => n.body).filter((b) => b.sync === 'long');
      return mine.length >= 2 ? mine : undefined;
    }, 30_000);
    expect(notes.map((n) => [n.event, n.reason?.code]).sort()).toEqual([
      ['run_stopped', 'run_time_exceeded'],
      ['run_stopped', 'run_time_exceeded'],
    ]);
    expect(notes.map((n) => n.willRetry).sort()).toEqual([false, true]);
  }, 150_000);
});
