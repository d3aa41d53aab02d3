// A worker process for the distributed benchmark (Node ≥ 22.12): runs generated records
// (`tools/bench/destinations`) into a destination's emulator, with the rate limit the job
// declares shared through Postgres. Options from WORKER_OPTIONS (JSON), JSON log lines on
// stderr (`"message":"ready"` once started); SIGTERM stops it cleanly.
import { runSync, type Logger, type RecordSource } from '@syncmodes/connector-kit';
import { startWorker, type SyncRunner, type WorkerOptions } from '@syncmodes/worker';
import { benchEntry } from '../destinations/index';

/** What a benchmark sync carries: records `from`..`to` of a bench destination, into the emulator at `url`, under `limit` calls per `intervalMs`. */
export interface BenchSyncJob {
  readonly mode: 'additive';
  readonly entry: string;
  readonly url: string;
  readonly from: number;
  readonly to: number;
  readonly version: number;
  readonly limit: { readonly requests: number; readonly intervalMs: number };
}

const runner: SyncRunner = async (definition, context) => {
  const job = definition.job as unknown as BenchSyncJob;
  const entry = benchEntry(job.entry);
  const source: RecordSource = {
    name: `generated ${job.from}..${job.to}`,
    async *open() {
      for (let i = job.from; i < job.to; i++) yield { kind: 'record' as const, id: `p${i}`, row: i - job.from + 1, snapshot: { properties: entry.properties(i, job.version), groups: [] } };
    },
  };
  const summary = await runSync({
    destination: await entry.destination(),
    // Intercom declares its limit per minute (the kit paces in windows of 10 s).
    config: { ...entry.config(job.url, {}), maxRequestsPerMinute: Math.round((job.limit.requests * 60_000) / job.limit.intervalMs) },
    mode: job.mode,
    source,
    state: context.state,
    syncName: definition.name,
    logger: context.logger,
    signal: context.signal,
    lease: context.lease,
    sharedLimiter: await context.sharedLimiter(job.limit),
  });
  return { summary, source: source.name, secrets: [] };
};

const line = (level: string) => (message: string, fields?: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ level, message, ...fields })}\n`);
const logger: Logger = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error') };
const options = JSON.parse(process.env.WORKER_OPTIONS ?? '{}') as Omit<WorkerOptions, 'runner' | 'logger'>;
const worker = await startWorker({ ...options, runner, logger });
process.stderr.write(`${JSON.stringify({ level: 'info', message: 'ready', worker: worker.name })}\n`);
process.once('SIGTERM', () => {
  void worker.stop(30_000).then(() => process.exit(0));
});
