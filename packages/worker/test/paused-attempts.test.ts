import { identityOf, parseConfig, startedRunRecord, syncIdFor } from '@syncmodes/connector-kit';
import { PostgresStateStore } from '@syncmodes/postgres';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { destination } from '@syncmodes/salesforce';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { queueOptions, runQueue, startWorker, SyncQueue, type RunJobData, type RunningWorker, type SyncRunner } from '../src/index';
import { sendScheduledRun } from '../src/intervals';
import { finishedRuns, jobEnded, peopleCsv, tempDir, waitFor } from './support/helpers';
import { testDefinition, testRunner } from './support/test-runner';

// Which attempts of a run its schedule queued a pause skips (fresh reviewers 127 and 128): a first attempt, or a retry of one
// that started nothing (refused sync_running), but not a retry of a run that started.
const POLICY = { heartbeatSeconds: 10, retryDelaySeconds: 1, retryLimit: 2 };
let url: string;
let state: PostgresStateStore;
let queue: SyncQueue;
let boss: PgBoss;
let worker: RunningWorker;
let emulator: ReturnType<typeof createSalesforceEmulator>;
let instanceUrl: string;
const dir = tempDir();
/** Called as a run starts, with its attempt's number for that sync (1 for the first). */
const onStart: Record<string, (attempt: number) => Promise<void>> = {};
const attempts: Record<string, number> = {};
const runner: SyncRunner = async (definition, context) => {
  attempts[definition.name] = (attempts[definition.name] ?? 0) + 1;
  await onStart[definition.name]?.(attempts[definition.name] ?? 1);
  return testRunner(definition, context);
};

beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'paused_attempts');
  emulator = createSalesforceEmulator();
  instanceUrl = await emulator.start();
  state = await PostgresStateStore.open(url);
  queue = await SyncQueue.open(url, { policy: POLICY });
  boss = new PgBoss({ connectionString: url, schema: 'pgboss', supervise: false, schedule: false });
  await boss.start();
  worker = await startWorker({ url, runner, destinations: ['salesforce'], pollingIntervalSeconds: 0.5, policy: POLICY });
});
afterAll(async () => {
  await worker?.stop(10_000);
  await boss?.stop({ graceful: false });
  await queue?.close();
  await state?.close();
  await emulator?.stop();
});

describe('a pause and the attempts of a scheduled run', () => {
  it('a scheduled run refused sync_running as its sync is paused: its retry started nothing before, so it does not start (fresh reviewer 128, F1)', { timeout: 60_000 }, async () => {
    const name = 'refused-paused';
    const definition = testDefinition(name, { mode: 'additive', from: peopleCsv(dir, name, 700, 705), instanceUrl });
    const stored = await queue.addSchedule(definition, { cron: '0 0 1 1 *' });
    const config = parseConfig(destination, { instanceUrl, accessToken: EMULATOR_ACCESS_TOKEN, object: 'Contact' });
    const identity = { ...identityOf(destination.configSchema, config), instanceUrl: `test:${definition.syncId}` };
    // Another run (a CLI's) holds the sync: the first attempt is refused sync_running, and pg-boss retries the job.
    const held = await state.acquireLease(syncIdFor(destination.id, identity, 'id', name), { holder: 'cli-host:1', ttlMs: 600_000 });
    // The pause lands while that attempt is active, so it cancels nothing; the other run then ends.
    onStart[name] = async (attempt) => {
      if (attempt === 1) expect(await queue.pause(name)).toBe(true);
    };
    const jobId = (await sendScheduledRun(boss, stored, 0)) as string;
    await waitFor('the refusal', async () => (await finishedRuns(state, name)).some((r) => r.reason?.code === 'sync_running'));
    await state.releaseLease(held);
    const job = await jobEnded(boss, 'salesforce', jobId);
    expect([job.state, job.retryCount, job.output]).toMatchObject(['completed', 1, { status: 'skipped', reason: { code: 'sync_paused' } }]);
    expect((await finishedRuns(state, name)).map((r) => [r.status, r.reason?.code])).toEqual([['refused', 'sync_running']]);
    expect(emulator.org.all('Contact').filter((c) => /^person70\d@/.test(String(c.Email)))).toEqual([]);
    expect(attempts[name]).toBe(1);
  });

  it('a retry after an attempt that failed before starting its run (it threw first) does not start while paused, and schedule list does not count it (fresh reviewer 129, F1)', { timeout: 60_000 }, async () => {
    const name = 'threw-paused';
    const definition = { ...testDefinition(name, { mode: 'additive', from: peopleCsv(dir, name, 720, 725), instanceUrl }), destination: 'facebook' };
    await boss.createQueue(runQueue('facebook'), queueOptions(POLICY));
    const stored = await queue.addSchedule(definition, { cron: '0 0 1 1 *' });
    expect(await queue.pause(name)).toBe(true);
    // The attempt of a worker that threw before it recorded a run (its definitions unreadable): claimed, then failed with its error.
    const jobId = (await sendScheduledRun(boss, { ...stored, paused: false }, 0)) as string;
    const [claimed] = await boss.fetch<RunJobData>(runQueue('facebook'));
    expect(claimed?.id).toBe(jobId);
    await boss.fail(runQueue('facebook'), jobId, { message: 'the definitions could not be read' });
    expect((await queue.list()).find((s) => s.name === name)).toMatchObject({ paused: true, queued: 0 });
    const second = await startWorker({ url, runner, destinations: ['facebook'], pollingIntervalSeconds: 0.5, policy: POLICY });
    try {
      const job = await jobEnded(boss, 'facebook', jobId);
      expect([job.state, job.output]).toMatchObject(['completed', { status: 'skipped', reason: { code: 'sync_paused' } }]);
      expect(attempts[name]).toBeUndefined();
      expect(await state.listRuns({ syncName: name, limit: 10 })).toEqual([]);
    } finally {
      await second.stop(10_000);
    }
  });

  it('a takeover of a run that started goes on after a pause, however many runs of the sync came since, and closes that run (fresh reviewer 130, F1)', { timeout: 60_000 }, async () => {
    const name = 'window-paused';
    const definition = { ...testDefinition(name, { mode: 'additive', from: peopleCsv(dir, name, 740, 745), instanceUrl }), destination: 'facebook' };
    const stored = await queue.addSchedule(definition, { cron: '0 0 1 1 *' });
    const jobId = (await sendScheduledRun(boss, stored, 0)) as string;
    const [claimed] = await boss.fetch<RunJobData>(runQueue('facebook'));
    expect(claimed?.id).toBe(jobId);
    // Its worker recorded the run running, then died; 25 runs of the sync were recorded since (refusals, CLI runs).
    const t0 = Date.now() - 120_000;
    const run = (runId: string, startedAt: number) => startedRunRecord({ runId, syncId: definition.syncId, syncName: name, destination: 'facebook', mode: 'additive', startedAt, source: '', worker: 'dead', jobId });
    await state.recordRun(run('window-started', t0));
    for (let i = 1; i <= 25; i++) {
      const { jobId: _job, ...later } = run(`window-later-${i}`, t0 + i * 1_000);
      await state.recordRun({ ...later, status: 'refused', reason: { code: 'sync_running', message: 'Another run holds the sync.' }, finishedAt: t0 + i * 1_000 + 10 });
    }
    expect(await queue.pause(name)).toBe(true);
    // Its heartbeat expired: pg-boss retries the job, and the retry is the run in progress.
    await boss.fail(runQueue('facebook'), jobId, { message: 'job heartbeat timeout' });
    expect((await queue.list()).find((s) => s.name === name)).toMatchObject({ paused: true, queued: 1 });
    const second = await startWorker({ url, runner, destinations: ['facebook'], pollingIntervalSeconds: 0.5, policy: POLICY });
    try {
      const job = await jobEnded(boss, 'facebook', jobId);
      expect([job.state, job.output]).toMatchObject(['completed', { status: 'completed' }]);
      expect(attempts[name]).toBe(1);
      expect(await state.getRun('window-started')).toMatchObject({ status: 'stopped', reason: { code: 'worker_lost' } });
    } finally {
      await second.stop(10_000);
    }
  });
});
