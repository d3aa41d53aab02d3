import { PostgresStateStore } from '@syncmodes/postgres';
import { startPostgresCluster, type PostgresCluster } from '@syncmodes/postgres/testing';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { SyncQueue, type WorkerOptions } from '@syncmodes/worker';
import { spawnWorker, type WorkerProcess } from '../../../../packages/worker/test/support/worker-processes';

/** Heartbeat 10 s (pg-boss's least), expired heartbeats looked for every 3 s, first retry after 1–2 s. */
export const POLICY = { heartbeatSeconds: 10, retryDelaySeconds: 1, retryLimit: 3 };

/** What the distributed scenarios share: one throwaway Postgres, the queue's control side, the state, the worker processes. */
export interface Cluster {
  readonly url: string;
  readonly state: PostgresStateStore;
  readonly queue: SyncQueue;
  readonly workers: WorkerProcess[];
  /** Starts worker processes (Node ≥ 22.12, the worker tests' fixture: CSV into the Salesforce emulator) until `count` are alive. */
  topUp(count: number): Promise<void>;
  /** A run's queue job as pg-boss keeps it (its `job` table), or undefined. */
  job(id: string): Promise<{ state: string; retryCount: number } | undefined>;
  close(): Promise<void>;
}

const workerOptions = (url: string): Omit<WorkerOptions, 'runner' | 'logger'> => ({ url, destinations: ['salesforce'], concurrency: 1, pollingIntervalSeconds: 0.5, policy: POLICY });

/** Starts a throwaway Postgres server (the system's binaries) and opens the queue and the state on it. */
export async function startCluster(): Promise<Cluster> {
  const server: PostgresCluster = await startPostgresCluster();
  const url = await server.createDatabase('distributed');
  const state = await PostgresStateStore.open(url);
  const queue = await SyncQueue.open(url, { policy: POLICY });
  const workers: WorkerProcess[] = [];
  const alive = new Set<WorkerProcess>();
  return {
    url,
    state,
    queue,
    workers,
    async topUp(count) {
      for (const w of workers) if (w.child.exitCode !== null || w.child.signalCode !== null) alive.delete(w);
      const started = await Promise.all(Array.from({ length: Math.max(0, count - alive.size) }, () => spawnWorker(workerOptions(url))));
      for (const w of started) {
        workers.push(w);
        alive.add(w);
      }
    },
    async job(id) {
      const { rows } = await state.pool.query<{ state: string; retry_count: number }>('SELECT state, retry_count FROM pgboss.job WHERE id = $1', [id]);
      return rows[0] ? { state: rows[0].state, retryCount: rows[0].retry_count } : undefined;
    },
    async close() {
      for (const w of workers) {
        w.child.kill('SIGCONT');
        w.child.kill('SIGKILL');
        await w.exited;
      }
      await queue.close();
      await state.close();
      server.stop();
    },
  };
}

/** A Salesforce emulator whose every API call takes `latencyMs`, so a run lasts long enough to be caught mid-way. */
export async function slowEmulator(latencyMs: number): Promise<{ emulator: ReturnType<typeof createSalesforceEmulator>; instanceUrl: string }> {
  const emulator = createSalesforceEmulator();
  const instanceUrl = await emulator.start();
  emulator.setFaults([{ kind: 'latency', latencyMs, path: '^/(?!__emulator)' }]);
  return { emulator, instanceUrl };
}
