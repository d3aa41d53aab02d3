import { PostgresStateStore, accountKeyOf } from '@syncmodes/postgres';
import type { PostgresCluster } from '@syncmodes/postgres/testing';
import { createIntercomEmulator } from '@syncmodes/intercom/emulator';
import { SyncQueue, type SyncDefinition } from '@syncmodes/worker';
import { waitFor } from '../../../packages/worker/test/support/helpers';
import { spawnWorker, type WorkerProcess } from '../../../packages/worker/test/support/worker-processes';
import type { BenchSyncJob } from './worker-process';

const FIXTURE = new URL('./worker-process.ts', import.meta.url).pathname;
const POLICY = { heartbeatSeconds: 10, retryDelaySeconds: 1, retryLimit: 3 };

/** One destination account's figures in a step. Units: calls, ms, calls per second. */
export interface AccountFigures {
  readonly account: string;
  /** Calls the emulator answered (not 429). */
  readonly acceptedCalls: number;
  /** Calls the emulator refused with 429. */
  readonly refused: number;
  /** Time at least one run of the account was in progress, ms. */
  readonly activeMs: number;
  readonly callsPerSec: number;
  readonly limitPerSec: number;
  /** callsPerSec / limitPerSec. */
  readonly used: number;
}

/** 6 syncs over two accounts with `workers` worker processes. */
export interface WorkersStep {
  readonly workers: number;
  readonly runs: number;
  readonly recordsPerSync: number;
  /** From the enqueue of the 6 runs to the end of the last, ms. */
  readonly wallMs: number;
  readonly runsPerMinute: number;
  readonly accounts: readonly AccountFigures[];
  /** Records that failed in the runs (any code), and those failed by a rate limit. */
  readonly failedRecords: number;
  readonly failedByRateLimit: number;
  readonly statuses: Readonly<Record<string, number>>;
}

/** Total length of the union of intervals, ms. */
function unionMs(intervals: Array<[number, number]>): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of intervals.sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/**
 * Runs 6 syncs of `records` generated contacts each (3 per Intercom workspace, each workspace
 * its own emulator enforcing `limit` calls per 10 s) on `workers` worker processes (one run
 * at a time each, at most 2 per account), all declaring the same limit to the shared limiter.
 */
export async function measureWorkers(cluster: PostgresCluster, workers: number, records: number, limit: number): Promise<WorkersStep> {
  const url = await cluster.createDatabase(`bench_workers_${workers}`);
  const emulators = [createIntercomEmulator({ rateLimit: { limit, windowMs: 10_000 } }), createIntercomEmulator({ rateLimit: { limit, windowMs: 10_000 } })];
  const urls = await Promise.all(emulators.map((e) => e.start()));
  const state = await PostgresStateStore.open(url);
  const queue = await SyncQueue.open(url, { policy: POLICY });
  const procs: WorkerProcess[] = [];
  try {
    procs.push(...(await Promise.all(Array.from({ length: workers }, () => spawnWorker({ url, destinations: ['intercom'], concurrency: 1, accountConcurrency: 2, pollingIntervalSeconds: 0.5, policy: POLICY }, FIXTURE)))));
    const definitions: SyncDefinition[] = [];
    for (const [a, emulatorUrl] of urls.entries()) {
      for (let s = 0; s < 3; s++) {
        const job: BenchSyncJob = { mode: 'additive', entry: 'intercom', url: emulatorUrl, from: s * records, to: (s + 1) * records, version: 1, limit: { requests: limit, intervalMs: 10_000 } };
        definitions.push({ name: `bench-${a}-${s}`, syncId: `bench-${a}-${s}`, destination: 'intercom', accountKey: accountKeyOf('intercom', { baseUrl: emulatorUrl }), job: { ...job } });
      }
    }
    for (const e of emulators) e.clearRequests();
    const started = Date.now();
    for (const d of definitions) await queue.enqueue(d);
    const finished = async () => {
      const runs = (await state.listRuns({ limit: 100 })).filter((r) => r.status !== 'running');
      return definitions.every((d) => runs.some((r) => r.syncName === d.name && r.status !== 'stopped')) && runs;
    };
    const runs = await waitFor('the 6 runs', finished, 30 * 60_000);
    const wallMs = Math.max(...runs.map((r) => r.finishedAt ?? 0)) - started;
    const accounts = emulators.map((e, a) => {
      const own = runs.filter((r) => r.syncName.startsWith(`bench-${a}-`));
      const activeMs = unionMs(own.map((r) => [r.startedAt, r.finishedAt ?? r.startedAt]));
      const refused = e.requests.filter((q) => q.status === 429).length;
      const acceptedCalls = e.requests.length - refused;
      const callsPerSec = acceptedCalls / (activeMs / 1000);
      return { account: `workspace ${a + 1}`, acceptedCalls, refused, activeMs, callsPerSec, limitPerSec: limit / 10, used: callsPerSec / (limit / 10) };
    });
    const failedRecords = runs.reduce((n, r) => n + r.counts.failed, 0);
    const failedByRateLimit = runs.reduce((n, r) => n + Object.entries(r.codes?.failed ?? {}).reduce((m, [code, k]) => m + (code.includes('rate_limit') ? k : 0), 0), 0);
    const statuses: Record<string, number> = {};
    for (const r of runs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    return { workers, runs: runs.length, recordsPerSync: records, wallMs, runsPerMinute: definitions.length / (wallMs / 60_000), accounts, failedRecords, failedByRateLimit, statuses };
  } finally {
    for (const p of procs) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
    await queue.close();
    await state.close();
    await Promise.all(emulators.map((e) => e.stop()));
  }
}
