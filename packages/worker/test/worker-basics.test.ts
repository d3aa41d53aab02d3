import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PostgresStateStore } from '@syncmodes/postgres';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWorker, SyncQueue, type RunningWorker } from '../src/index';
import { finishedRuns, peopleCsv, tempDir, waitFor } from './support/helpers';
import { testDefinition, testRunner } from './support/test-runner';

let url: string;
let emulator: ReturnType<typeof createSalesforceEmulator>;
let instanceUrl: string;
let state: PostgresStateStore;
let queue: SyncQueue;
let worker: RunningWorker;
const dir = tempDir();

beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'worker_basics');
  emulator = createSalesforceEmulator();
  instanceUrl = await emulator.start();
  state = await PostgresStateStore.open(url);
  queue = await SyncQueue.open(url, { policy: { retryDelaySeconds: 1, heartbeatSeconds: 10 } });
  worker = await startWorker({ url, runner: testRunner, destinations: ['salesforce'], pollingIntervalSeconds: 0.5, policy: { retryDelaySeconds: 1, heartbeatSeconds: 10 } });
});
afterAll(async () => {
  await worker?.stop(10_000);
  await queue?.close();
  await state?.close();
  await emulator?.stop();
});

describe('a worker on Node 22 with pg-boss 12', () => {
  it(`runs Node ${process.versions.node} (the worker package needs 22.12+)`, () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major > 22 || (major === 22 && minor >= 12)).toBe(true);
  });

  it('takes a queued run, records it in the run history, and the destination holds the records', async () => {
    const definition = testDefinition('basics', { mode: 'sync', from: peopleCsv(dir, 'basics', 0, 30), instanceUrl });
    const queued = await queue.enqueue(definition);
    expect(queued?.jobId).toBeTruthy();
    const [run] = await waitFor('the run', async () => {
      const runs = await finishedRuns(state, 'basics');
      return runs.length > 0 && runs;
    });
    expect(run).toMatchObject({ status: 'completed', counts: { created: 30 }, jobId: queued?.jobId, worker: worker.name });
    expect(emulator.org.all('Contact')).toHaveLength(30);
  });

  it('a run whose runner returns no tally keeps its failures by code in the history (counted as they arrived)', async () => {
    const path = join(dir, 'bad-emails.csv');
    writeFileSync(path, `id,email,last_name\n${Array.from({ length: 12 }, (_, i) => `b${i},not-an-email-${i},Bad ${i}`).join('\n')}\n`);
    await queue.enqueue(testDefinition('bad-emails', { mode: 'sync', from: path, instanceUrl }));
    const [run] = await waitFor('the run', async () => {
      const runs = await finishedRuns(state, 'bad-emails');
      return runs.length > 0 && runs;
    });
    expect(run).toMatchObject({ status: 'completed', counts: { failed: 12 }, codes: { failed: { invalid_email: 12 }, skipped: {} } });
  });
});
