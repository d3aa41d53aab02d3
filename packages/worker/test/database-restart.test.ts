import { PostgresStateStore } from '@syncmodes/postgres';
import { startPostgresCluster, type PostgresCluster } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, SyncQueue, type RunningWorker } from '../src/index';
import { finishedRuns, peopleCsv, tempDir, waitFor } from './support/helpers';
import { testDefinition, testRunner } from './support/test-runner';

// Fresh helper 107, minor 2: `pg_ctl restart` during a run stopped it state_unwritable (new connections were refused
// while the server was down), and the worker retried the whole run. The state store now waits for the server to come
// back (reconnectWaitMs), so the run goes on. This file restarts its own server: the shared test server stays up.
const dir = tempDir();
const policy = { retryDelaySeconds: 1, heartbeatSeconds: 10 };
let cluster: PostgresCluster;
let url: string;
let emulator: ReturnType<typeof createSalesforceEmulator>;
let instanceUrl: string;
let worker: RunningWorker;
let state: PostgresStateStore;

beforeAll(async () => {
  cluster = await startPostgresCluster({ maxConnections: 60 });
  url = await cluster.createDatabase('restarted');
  emulator = createSalesforceEmulator();
  instanceUrl = await emulator.start();
  worker = await startWorker({ url, runner: testRunner, destinations: ['salesforce'], pollingIntervalSeconds: 0.5, policy });
}, 60_000);
afterAll(async () => {
  await worker?.stop(10_000);
  await state?.close();
  await emulator?.stop();
  cluster?.stop();
});

describe('a worker whose database server restarts mid-run (pg_ctl restart)', () => {
  it('the run goes on through the restart and completes in one go: every person created once, no run stopped', { timeout: 120_000 }, async () => {
    emulator.setFaults([{ kind: 'latency', latencyMs: 150, path: '^/(?!__emulator)' }]);
    try {
      const queue = await SyncQueue.open(url, { policy });
      await queue.enqueue(testDefinition('through-restart', { mode: 'sync', from: peopleCsv(dir, 'through-restart', 1_000, 3_000), instanceUrl }));
      await queue.close();
      const emails = () => emulator.org.all('Contact').map((c) => String(c.Email));
      await waitFor('the first contacts of the run', async () => emails().length > 0);
      await cluster.restart();
      expect(emails().length).toBeLessThan(2_000); // restarted mid-run
      state = await PostgresStateStore.open(url);
      const runs = await waitFor('a finished run', async () => {
        const listed = await finishedRuns(state, 'through-restart');
        return listed.length > 0 && listed;
      }, 90_000);
      expect(runs.map((r) => [r.status, r.reason?.code, r.counts?.created])).toEqual([['completed', undefined, 2_000]]);
      expect(new Set(emails()).size).toBe(2_000);
      expect(emails()).toHaveLength(2_000);
    } finally {
      emulator.setFaults([]);
    }
  });
});
