import type { RunListing } from '@syncmodes/connector-kit';
import { PostgresStateStore } from '@syncmodes/postgres';
import { createTestDatabase } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWorker, SyncQueue, type RunningWorker } from '../src/index';
import { finishedRuns, peopleCsv, tempDir, waitFor } from './support/helpers';
import { testDefinition, testRunner } from './support/test-runner';
import { spawnWorker, type WorkerProcess } from './support/worker-processes';

const POLICY = { heartbeatSeconds: 10, retryDelaySeconds: 1 };
let url: string;
let state: PostgresStateStore;
let queue: SyncQueue;
const dir = tempDir();
const running: RunningWorker[] = [];
const processes: WorkerProcess[] = [];
const emulators: ReturnType<typeof createSalesforceEmulator>[] = [];

async function emulator(latencyMs: number): Promise<string> {
  const e = createSalesforceEmulator();
  emulators.push(e);
  const instanceUrl = await e.start();
  e.setFaults([{ kind: 'latency', latencyMs, path: '^/(?!__emulator)' }]);
  return instanceUrl;
}

const overlaps = (a: RunListing, b: RunListing) => a.startedAt < (b.finishedAt ?? Infinity) && b.startedAt < (a.finishedAt ?? Infinity);

beforeAll(async () => {
  url = await createTestDatabase(inject('postgresUrl'), 'semantics');
  state = await PostgresStateStore.open(url);
  queue = await SyncQueue.open(url, { policy: POLICY });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((w) => w.stop(10_000)));
  for (const p of processes.splice(0)) {
    p.child.kill('SIGKILL');
    await p.exited;
  }
  await Promise.all(emulators.splice(0).map((e) => e.stop()));
});
afterAll(async () => {
  await queue?.close();
  await state?.close();
});

describe('the queue’s guarantees, as syncmodes uses them', () => {
  it('one run per sync, at most one waiting behind it: repeated enqueues (and ticks) collapse', async () => {
    const instanceUrl = await emulator(300);
    const definition = testDefinition('single', { mode: 'sync', from: peopleCsv(dir, 'single', 0, 400), instanceUrl });
    const first = await Promise.all(Array.from({ length: 5 }, () => queue.enqueue(definition)));
    expect(first.filter((r) => r?.jobId).length).toBe(1);
    running.push(await startWorker({ url, runner: testRunner, destinations: ['salesforce'], concurrency: 2, pollingIntervalSeconds: 0.5, policy: POLICY }));
    await waitFor('the run to start', async () => (await state.listRuns({ syncName: 'single', limit: 1 }))[0]?.status === 'running' || undefined);
    const behind = await Promise.all(Array.from({ length: 3 }, () => queue.enqueue(definition)));
    expect(behind.filter((r) => r?.jobId).length).toBe(1);
    expect(behind.find((r) => r?.jobId)?.behindRunning).toBe(true);
    const runs = await waitFor('both runs', async () => {
      const done = await finishedRuns(state, 'single');
      return done.length === 2 && done;
    });
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    expect(overlaps(runs[0] as RunListing, runs[1] as RunListing)).toBe(false);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await finishedRuns(state, 'single')).toHaveLength(2);
  });

  it('runs into one destination account are capped across workers (groupConcurrency 1 here), other accounts run alongside', async () => {
    const accountA = await emulator(250);
    const accountB = await emulator(250);
    const opts = { url, destinations: ['salesforce'], concurrency: 2, accountConcurrency: 1, pollingIntervalSeconds: 0.5, policy: POLICY };
    processes.push(await spawnWorker(opts), await spawnWorker(opts));
    const syncs = [
      testDefinition('a1', { mode: 'sync', from: peopleCsv(dir, 'a1', 0, 300), instanceUrl: accountA }),
      testDefinition('a2', { mode: 'sync', from: peopleCsv(dir, 'a2', 300, 600), instanceUrl: accountA }),
      testDefinition('a3', { mode: 'sync', from: peopleCsv(dir, 'a3', 600, 900), instanceUrl: accountA }),
      testDefinition('b1', { mode: 'sync', from: peopleCsv(dir, 'b1', 0, 300), instanceUrl: accountB }),
    ];
    for (const s of syncs) await queue.enqueue(s);
    const runs = await waitFor(
      'every run',
      async () => {
        const all = (await Promise.all(syncs.map((s) => finishedRuns(state, s.name)))).flat();
        return all.length === 4 && all;
      },
      120_000,
    );
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const a = runs.filter((r) => r.syncName.startsWith('a'));
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) expect(overlaps(a[i] as RunListing, a[j] as RunListing)).toBe(false);
    // Account B's run did not wait for account A's.
    const b = runs.find((r) => r.syncName === 'b1') as RunListing;
    expect(a.some((r) => overlaps(r, b))).toBe(true);
    // Which worker takes which run is the queue's choice: on a loaded machine one process may
    // fetch every run, so no assertion on how the work was shared (the cap is checked above on
    // whichever workers took account A's runs).
    expect(runs.every((r) => typeof r.worker === 'string')).toBe(true);
  });

  it('SIGTERM: the worker stops sending, records what was acknowledged, puts the run back in the queue and exits; another worker finishes it', async () => {
    const instanceUrl = await emulator(400);
    const opts = { url, destinations: ['salesforce'], concurrency: 1, pollingIntervalSeconds: 0.5, policy: POLICY };
    const leaving = await spawnWorker(opts);
    processes.push(leaving);
    const definition = testDefinition('terminated', { mode: 'sync', from: peopleCsv(dir, 'terminated', 0, 600), instanceUrl });
    await queue.enqueue(definition);
    await waitFor('the run under way', async () => (await state.listRuns({ syncName: 'terminated', limit: 1 }))[0]?.status === 'running' && emulators[0]?.requests.length && emulators[0].requests.length >= 3);
    leaving.child.kill('SIGTERM');
    // Where it stands when a step does not come (the workers' logs, the run history): timed out under load in CI preview 136.
    const said = async (what: string) => `${what}\nruns: ${JSON.stringify((await state.listRuns({ syncName: 'terminated', limit: 5 })).map((r) => [r.status, r.reason?.code, r.worker]))}\n${processes.map((p) => `${p.name}:\n${p.log.slice(-30).join('\n')}`).join('\n')}`;
    const exited = await Promise.race([leaving.exited, new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
    if (exited !== 0) throw new Error(await said(`the worker given SIGTERM: ${String(exited)}`));
    const [stopped] = await finishedRuns(state, 'terminated');
    expect(stopped).toMatchObject({ status: 'stopped', reason: { code: 'interrupted' }, worker: leaving.name });
    processes.push(await spawnWorker(opts));
    const done = await waitFor('the run finished elsewhere', async () => (await finishedRuns(state, 'terminated')).find((r) => r.status === 'completed'), 90_000).catch(async (error: unknown) => {
      throw new Error(await said(String(error)));
    });
    expect(done.worker).not.toBe(leaving.name);
    const emails = emulators[0]?.org.all('Contact').map((c) => String(c.Email)) ?? [];
    expect(emails).toHaveLength(600);
    expect(new Set(emails).size).toBe(600);
  });
});
