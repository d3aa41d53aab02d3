import { configFields } from '@syncmodes/connector-kit';
import { Command, Option } from 'commander';
import { cliLogger, LOG_LEVELS, type LogLevel } from '../output/cli-logger';
import { destinationEntries } from '../registry/destinations';
import { UsageError } from '../registry/exit-codes';
import type { CliIo } from '../run/run-sync-job';
import { loadWorker } from '../worker/load-worker';
import { cliRunner } from '../worker/run-definition';
import { loadServable, servedDestinations } from '../worker/served-destinations';
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

/** A flag's value when it was given (command line or environment), undefined when it is the default. */
function given<T>(command: Command, option: string, value: T): T | undefined {
  return command.getOptionValueSource(option) === 'default' ? undefined : value;
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
    .option('--heartbeat <seconds>', 'heartbeat: a run whose worker stops answering goes to another worker about this long later (≥ 10; a setting of the queue, for every worker: given, it replaces the one there)', whole(10), 30)
    .option('--retry-limit <n>', 'retries of a run stopped by a retryable error (quota, rate limit, unreachable state or source) or whose worker died, before the dead-letter queue (≥ 1: a killed worker\'s run is taken over by a retry; a queue setting, as are the next two)', whole(1), 5)
    .option('--retry-delay <seconds>', 'first retry delay, doubled each retry', whole(1), 5)
    .addOption(new Option('--max-run <duration>', 'longest one attempt of a run may take (e.g. 30m, 4h)').argParser(duration(60_000)).default(4 * 3_600_000, '4h'))
    .option('--notify-url <url>', 'POST a JSON summary here when a run fails or is refused (default $SYNCMODES_NOTIFY_URL)')
    .option('--keep-runs <n>', 'runs per sync the run history keeps', whole(1), 100)
    .option('--log-level <level>', `log level for stderr (JSON lines): ${LOG_LEVELS.join(', ')}`, 'info')
    .action(async (flags: WorkerFlags, command: Command) => {
      const { startWorker } = await loadWorker('worker');
      const url = databaseUrl(flags.state, io.env);
      const entries = destinationEntries();
      const known = entries.map((d) => d.id);
      // Given empty (`--destinations "$UNSET"`) is not left out: it names no destination (fresh reviewer 111, F6).
      const named = flags.destinations !== undefined ? flags.destinations.split(',').map((d) => d.trim()).filter(Boolean) : undefined;
      const unknown = (named ?? []).filter((d) => !known.includes(d));
      if (unknown.length > 0) throw new UsageError(`Unknown destination(s) ${unknown.join(', ')}. Known: ${known.join(', ')}.`, 'unknown_destination');
      if (named !== undefined && named.length === 0) throw new UsageError('--destinations names no destination; give their ids, comma-separated, or leave the flag out.', 'invalid_arguments');
      const servable = await loadServable(entries, named, (line) => io.stderr.write(`${line}\n`));
      const { destinations, skipped } = servedDestinations(servable, named, io.env);
      for (const s of skipped) io.stderr.write(`not taking runs of ${s.id}: set ${s.missing.join(', ')} in this worker's environment to take them\n`);
      const { databaseSecrets } = await import('@syncmodes/postgres');
      const logger = cliLogger({ level: flags.logLevel, format: 'json' }, [...databaseSecrets(url), ...(await environmentSecrets(destinations, io.env))], io.stderr);
      const concurrency = accountConcurrency(flags.accountConcurrency);
      const misspelt = Object.keys(concurrency.byDestination).filter((d) => !known.includes(d));
      if (misspelt.length > 0) throw new UsageError(`--account-concurrency names unknown destination(s) ${misspelt.join(', ')}. Known: ${known.join(', ')}.`, 'unknown_destination');
      const worker = await startWorker({
        url,
        runner: cliRunner(io.env),
        destinations,
        concurrency: flags.concurrency,
        accountConcurrency: concurrency.default,
        accountConcurrencyByDestination: concurrency.byDestination,
        // Only the queue settings given on the command line: the queues' settings hold for every worker, and a worker started with the defaults reset the fleet's (fresh helper 107, M2).
        policy: {
          heartbeatSeconds: given(command, 'heartbeat', flags.heartbeat),
          retryLimit: given(command, 'retryLimit', flags.retryLimit),
          retryDelaySeconds: given(command, 'retryDelay', flags.retryDelay),
          maxRunSeconds: given(command, 'maxRun', Math.round(flags.maxRun / 1000)),
        },
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
