import { configFields } from '@syncmodes/connector-kit';
import { Command } from 'commander';
import { cliLogger, LOG_LEVELS, type LogLevel } from '../output/cli-logger';
import { destinationEntries } from '../registry/destinations';
import { UsageError } from '../registry/exit-codes';
import type { CliIo } from '../run/run-sync-job';
import { loadWorker } from '../worker/load-worker';
import { cliRunner } from '../worker/run-definition';
import { servedDestinations } from '../worker/served-destinations';
import { accountConcurrency, collect, databaseUrl, duration, whole } from '../worker/worker-flags';

interface WorkerFlags {
  state?: string;
  concurrency: number;
  destinations?: string;
  accountConcurrency?: string[];
  heartbeat: number;
  retryLimit: number;
  retryDelay: number;
  maxRun: number;
  notifyUrl?: string;
  keepRuns: number;
  logLevel: LogLevel;
}

/** The secret values this worker's environment holds for the destinations it serves (scrubbed from its logs). */
async function environmentSecrets(ids: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<string[]> {
  const out: string[] = [];
  for (const entry of destinationEntries().filter((d) => ids.includes(d.id))) {
    for (const field of configFields((await entry.load()).configSchema)) {
      const value = field.meta.secret && field.meta.env ? env[field.meta.env] : undefined;
      if (value && value.length >= 4) out.push(value);
    }
  }
  return out;
}

/**
 * `syncmodes worker`: a long-lived worker taking sync runs from the queue in Postgres
 * (Node ≥ 22.12). Shuts down cleanly on SIGTERM / Ctrl-C: runs in progress stop sending,
 * checkpoint what was acknowledged and go back to the queue for another worker.
 */
export function workerCommand(io: CliIo, waitForStop: () => Promise<void>): Command {
  return new Command('worker')
    .description('Take sync runs from the queue in Postgres and run them (Node 22.12+; one per machine or more). Secrets come from this environment.')
    .option('--state <url>', 'the shared database (postgres://…; default $SYNCMODES_DATABASE_URL)')
    .option('--concurrency <n>', 'runs at once on this worker, per destination', whole(1), 2)
    .option('--destinations <ids>', 'only these destinations\' runs, comma-separated (default: every destination installed here whose secrets are set in this environment)')
    .option('--account-concurrency <n|destination=n>', 'runs at once per destination account across all workers (default 2; repeat for one destination: salesforce=3)', collect)
    .option('--heartbeat <seconds>', 'heartbeat: a run whose worker stops answering goes to another worker about this long later (≥ 10)', whole(10), 30)
    .option('--retry-limit <n>', 'retries of a run stopped by a retryable error (quota, rate limit, unreachable state or source) before the dead-letter queue', whole(0), 5)
    .option('--retry-delay <seconds>', 'first retry delay, doubled each retry', whole(1), 5)
    .option('--max-run <duration>', 'longest a run may take', duration(60_000), 4 * 3_600_000)
    .option('--notify-url <url>', 'POST a JSON summary here when a run fails or is refused (default $SYNCMODES_NOTIFY_URL)')
    .option('--keep-runs <n>', 'runs per sync the run history keeps', whole(1), 100)
    .option('--log-level <level>', `log level for stderr (JSON lines): ${LOG_LEVELS.join(', ')}`, 'info')
    .action(async (flags: WorkerFlags) => {
      const { startWorker } = await loadWorker('worker');
      const url = databaseUrl(flags.state, io.env);
      const entries = destinationEntries();
      const known = entries.map((d) => d.id);
      const named = flags.destinations ? flags.destinations.split(',').map((d) => d.trim()).filter(Boolean) : undefined;
      const unknown = (named ?? []).filter((d) => !known.includes(d));
      if (unknown.length > 0) throw new UsageError(`Unknown destination(s) ${unknown.join(', ')}. Known: ${known.join(', ')}.`, 'unknown_destination');
      const servable = await Promise.all(entries.map(async (e) => ({ id: e.id, destination: await e.load() })));
      const { destinations, skipped } = servedDestinations(servable, named, io.env);
      for (const s of skipped) io.stderr.write(`not taking runs of ${s.id}: set ${s.missing.join(', ')} in this worker's environment to take them\n`);
      const { databaseSecrets } = await import('@syncmodes/postgres');
      const logger = cliLogger({ level: flags.logLevel, format: 'json' }, [...databaseSecrets(url), ...(await environmentSecrets(destinations, io.env))], io.stderr);
      const concurrency = accountConcurrency(flags.accountConcurrency);
      const worker = await startWorker({
        url,
        runner: cliRunner(io.env),
        destinations,
        concurrency: flags.concurrency,
        accountConcurrency: concurrency.default,
        accountConcurrencyByDestination: concurrency.byDestination,
        policy: { heartbeatSeconds: flags.heartbeat, retryLimit: flags.retryLimit, retryDelaySeconds: flags.retryDelay, maxRunSeconds: Math.round(flags.maxRun / 1000) },
        notifyUrl: flags.notifyUrl ?? io.env.SYNCMODES_NOTIFY_URL,
        keepRuns: flags.keepRuns,
        logger,
      });
      io.stderr.write(`syncmodes worker ${worker.name} taking runs of ${destinations.join(', ')} (Ctrl-C or SIGTERM to stop)\n`);
      await waitForStop();
      io.stderr.write('stopping: runs in progress checkpoint and go back to the queue…\n');
      await worker.stop();
    });
}
