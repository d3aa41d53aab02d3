import { hostname } from 'node:os';
import { silentLogger, type Logger } from '@syncmodes/connector-kit';
import { DEFAULT_KEEP_RUNS } from '@syncmodes/connector-kit';
import { PostgresStateStore } from '@syncmodes/postgres';
import type { JobWithMetadata, PerJobWorkWithMetadataHandler, PgBoss } from 'pg-boss';
import { ensureQueues, openBoss, queueOptions, type QueuePolicy, type RunQueueSettings } from './boss';
import { DefinitionStore } from './definition-store';
import type { RunJobData } from './definitions';
import { armIntervals, queueNextInterval, sendRun } from './intervals';
import { runQueue } from './queues';
import { runJob, type RunJobDeps } from './run-job';
import type { SyncRunner } from './runner';

/** Options of {@link startWorker}. */
export interface WorkerOptions {
  /** The database of the queue and the state (`postgres://…`). */
  readonly url: string;
  /** Runs one sync (the CLI provides it: destinations, config from the worker's environment, sources). */
  readonly runner: SyncRunner;
  /** The destinations whose runs this worker takes (one queue each). */
  readonly destinations: readonly string[];
  /** Runs at once on this worker, per destination (default 2). */
  readonly concurrency?: number | undefined;
  /** Runs at once per destination account across all workers (default 2); every worker should use the same values. */
  readonly accountConcurrency?: number | undefined;
  /** The same per destination, e.g. `{ salesforce: 3 }`. */
  readonly accountConcurrencyByDestination?: Readonly<Record<string, number>> | undefined;
  readonly policy?: QueuePolicy | undefined;
  /** Where to POST a JSON summary when a run fails or is refused. */
  readonly notifyUrl?: string | undefined;
  /** Runs kept per sync in the history (default 100). */
  readonly keepRuns?: number | undefined;
  /** How often a running run's counts so far are written to its run record, ms (default 5,000; at least 500). */
  readonly progressIntervalMs?: number | undefined;
  /** How often an idle worker looks for runs, s (default 2). */
  readonly pollingIntervalSeconds?: number | undefined;
  readonly logger?: Logger | undefined;
  /** How the worker names itself in leases and the run history (default `<host>:<pid>`). */
  readonly name?: string | undefined;
}

/** A started worker. */
export interface RunningWorker {
  readonly name: string;
  /**
   * Shuts down cleanly (SIGTERM): takes no more runs; runs in progress stop sending, record
   * what was acknowledged (their state is checkpointed per batch) and are queued again for
   * another worker; then the queue connection closes. Waits at most `timeoutMs` (default 60,000).
   */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a worker: takes sync runs from the queues of `destinations` (pg-boss 12: `stately`
 * policy keyed by sync id — one run per sync, at most one waiting; `groupConcurrency`
 * keyed by destination account; heartbeats, so another worker takes over the run of a
 * worker that was killed or paused; retries with backoff, then the dead-letter queue) and
 * runs each through `runner` with the shared Postgres state, a lease naming the job and a
 * rate limit shared per account. Keeps `--every` syncs' chains of runs going. Node ≥ 22.12.
 */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const logger = options.logger ?? silentLogger;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const concurrency = options.concurrency ?? 2;
  const shutdown = new AbortController();
  const { state, definitions, boss, settings } = await openQueues(options, concurrency, shutdown.signal, logger);
  const { maxRunMs, leaseTtlMs } = leaseTimes(settings, queueOptions(options.policy ?? {}));
  const deps: RunJobDeps = {
    state,
    definitions,
    runner: options.runner,
    workerName: name,
    shutdown: shutdown.signal,
    leaseTtlMs,
    keepRuns: options.keepRuns ?? DEFAULT_KEEP_RUNS,
    progressIntervalMs: options.progressIntervalMs,
    notifyUrl: options.notifyUrl,
    logger,
    requeue: async (definition, data, startAfterMs) => {
      await sendRun(boss, definition, data, startAfterMs);
    },
    accountLimit: (destination) => options.accountConcurrencyByDestination?.[destination] ?? options.accountConcurrency ?? 2,
  };
  await takeRuns(boss, options, concurrency, async ([job]: JobWithMetadata<RunJobData>[]) => {
    const current = job as JobWithMetadata<RunJobData>;
    const { result, disposition, definition } = await runJob(current, deps);
    // An --every sync queues its next run when this one is over for good.
    const over = disposition && (disposition.job !== 'failed' || current.retryCount >= current.retryLimit) && !disposition.requeue;
    if (over && definition && !current.data.definition) await queueNextInterval(boss, definitions, definition.name, logger);
    return [result];
  });
  const arm = () => armIntervals(boss, state, definitions, options.destinations, maxRunMs).catch((error: unknown) => logger.warn('could not queue interval runs', { message: String(error) }));
  await arm();
  const armTimer = setInterval(() => void arm(), 60_000);
  armTimer.unref();
  logger.info('worker started', { worker: name, destinations: options.destinations, concurrency });
  let stopping: Promise<void> | undefined;
  return {
    name,
    stop(timeoutMs = 60_000) {
      stopping ??= (async () => {
        clearInterval(armTimer);
        shutdown.abort();
        await boss.stop({ graceful: true, timeout: timeoutMs, close: true }).catch((error: unknown) => logger.warn('queue stop', { message: String(error) }));
        await state.close();
        logger.info('worker stopped', { worker: name });
      })();
      return stopping;
    },
  };
}

/** The worker's connections: the shared state store (closed again when the rest fails), the sync definitions, pg-boss and its queues. */
async function openQueues(options: WorkerOptions, concurrency: number, signal: AbortSignal, logger: Logger) {
  const policy = options.policy ?? {};
  const heartbeatSeconds = queueOptions(policy).heartbeatSeconds ?? 30;
  // Stopping ends the state store's waits for a server that is away: the runs stop at once, as they would without it.
  const state = await PostgresStateStore.open(options.url, { poolSize: concurrency * options.destinations.length * 2 + 2, signal });
  const definitions = new DefinitionStore(state.pool);
  try {
    await definitions.prepare();
    const boss = await openBoss(options.url, { supervise: true, superviseIntervalSeconds: Math.max(1, Math.floor(heartbeatSeconds / 3)), logger });
    const settings = await ensureQueues(boss, options.destinations, policy, logger);
    return { state, definitions, boss, settings };
  } catch (error) {
    await state.close();
    throw error;
  }
}

/**
 * The longest a run may take and a lease's time to live, ms: from the queues' settings, which
 * hold for every worker (another may have set them), not from this worker's options.
 */
function leaseTimes(settings: ReadonlyMap<string, RunQueueSettings>, queue: ReturnType<typeof queueOptions>): { maxRunMs: number; leaseTtlMs: number } {
  const effective = settings.size > 0 ? [...settings.values()] : [{ expireInSeconds: queue.expireInSeconds ?? 14_400, heartbeatSeconds: queue.heartbeatSeconds ?? 30 }];
  return {
    maxRunMs: Math.max(...effective.map((q) => q.expireInSeconds)) * 1_000,
    leaseTtlMs: Math.min(...effective.map((q) => q.heartbeatSeconds)) * 1_000,
  };
}

/** Subscribes `handle` to each destination's run queue: one job at a time, `concurrency` at once, capped per account across workers. */
async function takeRuns(boss: PgBoss, options: WorkerOptions, concurrency: number, handle: PerJobWorkWithMetadataHandler<RunJobData>): Promise<void> {
  for (const destination of options.destinations) {
    await boss.work(
      runQueue(destination),
      {
        batchSize: 1,
        localConcurrency: concurrency,
        groupConcurrency: { default: options.accountConcurrency ?? 2, tiers: { ...options.accountConcurrencyByDestination } },
        includeMetadata: true,
        perJobResults: true,
        pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
      },
      handle,
    );
  }
}
