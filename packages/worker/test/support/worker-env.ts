import { PostgresStateStore } from '@syncmodes/postgres';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, inject } from 'vitest';
import { startWorker, SyncQueue, type RunningWorker, type WorkerOptions } from '../../src/index';
import { notificationHook } from './helpers';
import { testRunner } from './test-runner';

/** What {@link workerEnv} starts for a test file: its own database, a Salesforce emulator, a notification hook, and a worker on them. */
export interface WorkerEnv {
  url: string;
  state: PostgresStateStore;
  queue: SyncQueue;
  /** A pg-boss client for looking at jobs (not supervising). */
  boss: PgBoss;
  worker: RunningWorker;
  emulator: ReturnType<typeof createSalesforceEmulator>;
  instanceUrl: string;
  hook: Awaited<ReturnType<typeof notificationHook>>;
}

/**
 * Starts, before the file's tests, a database of its own (`database`), a Salesforce emulator,
 * a notification hook the worker posts to (`/hook`), the state store, a queue and a worker
 * (the test runner, polling every 0.5 s) under `policy`; stops them all after. The returned
 * object is filled in `beforeAll`.
 */
export function workerEnv(database: string, policy: NonNullable<WorkerOptions['policy']>): WorkerEnv {
  const env = {} as WorkerEnv;
  beforeAll(async () => {
    env.url = await createTestDatabase(inject('postgresUrl'), database);
    env.emulator = createSalesforceEmulator();
    env.instanceUrl = await env.emulator.start();
    env.hook = await notificationHook();
    env.state = await PostgresStateStore.open(env.url);
    env.queue = await SyncQueue.open(env.url, { policy });
    env.boss = new PgBoss({ connectionString: env.url, schema: 'pgboss', supervise: false, schedule: false });
    await env.boss.start();
    env.worker = await startWorker({ url: env.url, runner: testRunner, destinations: ['salesforce'], pollingIntervalSeconds: 0.5, policy, notifyUrl: env.hook.url('/hook') });
  });
  afterAll(async () => {
    await env.worker?.stop(10_000);
    await env.boss?.stop({ graceful: false });
    await env.queue?.close();
    await env.state?.close();
    await env.emulator?.stop();
    await env.hook?.close();
  });
  return env;
}
