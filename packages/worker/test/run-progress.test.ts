import { PostgresStateStore } from '@syncmodes/postgres';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { SyncQueue, type WorkerOptions } from '../src/index';
import { finishedRuns, peopleCsv, runningWithCounts, tempDir, waitFor } from './support/helpers';
import { testDefinition } from './support/test-runner';
import { spawnWorker, stopWorkerProcesses, type WorkerProcess } from './support/worker-processes';

// Counts so far written every second here (the default is 5 s); heartbeat 10 s, pg-boss's least.
const PROGRESS_MS = 1_000;
const ROWS = 1_000;

let url: string;
let state: PostgresStateStore;
let queue: SyncQueue;
const dir = tempDir();
const workers: WorkerProcess[] = [];
let emulator: ReturnType<typeof createSalesforceEmulator>;
let instanceUrl: string;

const options = (destination: string, retryLimit: number): Omit<WorkerOptions, 'runner' | 'logger'> => ({
  url,
  destinations: [destination],
  concurrency: 1,
  pollingIntervalSeconds: 0.5,
  progressIntervalMs: PROGRESS_MS,
  policy: { heartbeatSeconds: 10, retryDelaySeconds: 1, retryLimit },
});

beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'run_progress');
  state = await PostgresStateStore.open(url);
  queue = await SyncQueue.open(url);
});
afterAll(async () => {
  await queue?.close();
  await state?.close();
});
beforeEach(async () => {
  emulator = createSalesforceEmulator();
  instanceUrl = await emulator.start();
  // Each call takes 500 ms and one is in flight at a time: 1,000 records in windows of 100 take over 10 s,
  // and each window's results come out when it ends.
  emulator.setFaults([{ kind: 'latency', latencyMs: 500, path: '^/(?!__emulator)' }]);
});
afterEach(async () => {
  await stopWorkerProcesses(workers);
  await emulator.stop();
});

/** Every source person is in the org exactly once. */
function expectEachOnce(): void {
  const emails = emulator.org.all('Contact').map((c) => String(c.Email));
  expect(new Set(emails).size).toBe(ROWS);
  expect(emails).toHaveLength(ROWS);
}

// A run killed mid-way and taken over by another worker (closeAbandoned) keeping its counts: takeover.test.ts.
describe('a running run’s record carries its counts so far; a run whose worker died keeps the counts last recorded', () => {
  it('killed on its last attempt, the run is closed by the control side (runInProgress) worker_lost with the counts last recorded; schedule list showed them', { timeout: 240_000 }, async () => {
    // Retry limit 0 on this queue: the run's job fails for good when its worker's heartbeat expires.
    workers.push(await spawnWorker(options('intercom', 0)));
    const definition = { ...testDefinition('last-attempt', { mode: 'sync', from: peopleCsv(dir, 'last-attempt', 0, ROWS), instanceUrl, concurrency: 1, windowSize: 100 }), destination: 'intercom' };
    await queue.addSchedule(definition, { cron: '0 0 1 1 *' });
    await queue.enqueue('last-attempt');
    const seen = await runningWithCounts(state, 'last-attempt', ROWS);
    // The calls so far come with the counts (reviewer 78, F4: a running run showed calls 0): at least the lookups of the windows counted.
    expect(seen.calls.find).toBeGreaterThan(0);
    const listed = (await queue.list()).find((s) => s.name === 'last-attempt');
    expect(listed).toMatchObject({ running: true, current: { runId: seen.runId } });
    expect(listed?.current?.counts.created).toBeGreaterThanOrEqual(seen.counts.created);
    const [victim] = workers;
    victim?.child.kill('SIGKILL');
    // Another worker's pg-boss supervisor fails the job once its heartbeat expired (no retry: limit 0).
    workers.push(await spawnWorker(options('intercom', 0)));
    await waitFor('the run no longer listed running', async () => !(await queue.list()).find((s) => s.name === 'last-attempt')?.running, 90_000);
    const lost = await state.getRun(seen.runId);
    expect(lost).toMatchObject({ status: 'stopped', reason: { code: 'worker_lost', message: expect.stringContaining('counts are those last recorded') } });
    expect(lost?.counts.created).toBeGreaterThanOrEqual(seen.counts.created);
    expect(lost?.calls.find).toBeGreaterThanOrEqual(seen.calls.find);
    expect(lost?.problems).toEqual([]);
    // The next run compares with state: it sends only what the lost run had not written.
    emulator.setFaults([]);
    await queue.enqueue('last-attempt');
    const next = await waitFor('the next run', async () => (await finishedRuns(state, 'last-attempt')).find((r) => r.status === 'completed'), 90_000);
    expect((lost?.counts.created ?? 0) + next.counts.created).toBeLessThanOrEqual(ROWS);
    expectEachOnce();
  });
});
