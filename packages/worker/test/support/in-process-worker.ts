import { PostgresStateStore } from '@syncmodes/postgres';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Logger } from '@syncmodes/connector-kit';
import { startWorker, SyncQueue, type RunningWorker, type WorkerOptions } from '../../src/index';
import { testRunner } from './test-runner';

/** A test file's own database, Salesforce emulator, state store, queue and worker (in this process, the test runner). */
export interface InProcessWorker {
  /** The test database's URL. */
  readonly url: string;
  readonly emulator: ReturnType<typeof createSalesforceEmulator>;
  /** The emulator's base URL (a run definition's `instanceUrl`). */
  readonly instanceUrl: string;
  readonly state: PostgresStateStore;
  readonly queue: SyncQueue;
  readonly worker: RunningWorker;
}

/**
 * Makes an {@link InProcessWorker} in `beforeAll` (a database named after `database`; the worker
 * polls every 0.5 s with `policy` and logs to `logger`, silent by default) and closes it in
 * `afterAll`. Its fields are set once `beforeAll` has run: read them inside tests.
 */
export function inProcessWorker(database: string, policy: NonNullable<WorkerOptions['policy']>, logger?: Logger): InProcessWorker {
  const bed = {} as { -readonly [K in keyof InProcessWorker]: InProcessWorker[K] };
  beforeAll(async () => {
    bed.url = await createTestDatabase(inject('postgresUrl'), database);
    bed.emulator = createSalesforceEmulator();
    bed.instanceUrl = await bed.emulator.start();
    bed.state = await PostgresStateStore.open(bed.url);
    bed.queue = await SyncQueue.open(bed.url, { policy });
    bed.worker = await startWorker({ url: bed.url, runner: testRunner, destinations: ['salesforce'], pollingIntervalSeconds: 0.5, policy, logger });
  });
  afterAll(async () => {
    await bed.worker?.stop(10_000);
    await bed.queue?.close();
    await bed.state?.close();
    await bed.emulator?.stop();
  });
  return bed;
}
