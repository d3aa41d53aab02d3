import Table from 'cli-table3';
import { Command, Option } from 'commander';
import ms from 'ms';
import { UsageError } from '../registry/exit-codes';
import type { CliIo } from '../run/run-sync-job';
import { definitionFromJob } from '../worker/definition-from-job';
import { jobFromConfig } from '../worker/job-from-config';
import { loadWorker } from '../worker/load-worker';
import { databaseUrl, duration } from '../worker/worker-flags';

type SyncQueue = Awaited<ReturnType<Awaited<ReturnType<typeof loadWorker>>['SyncQueue']['open']>>;

async function withQueue<T>(command: string, state: string | undefined, io: CliIo, fn: (queue: SyncQueue) => Promise<T>): Promise<T> {
  const { SyncQueue } = await loadWorker(`schedule ${command}`);
  const queue = await SyncQueue.open(databaseUrl(state, io.env));
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

const stateOption = () => new Option('--state <url>', 'the shared database (postgres://…; default $SYNCMODES_DATABASE_URL)');

function notFound(name: string): never {
  throw new UsageError(`No stored sync "${name}" (see \`syncmodes schedule list\`).`, 'sync_not_found');
}

function addCommand(io: CliIo, onExit: (code: number) => void): Command {
  return new Command('add')
    .description('Store a sync (its config without secrets) and run it on a schedule, on whichever worker is free.')
    .argument('<name>', "the sync's name (also its sync name: state and deletions follow it)")
    .requiredOption('--config <file>', 'the sync config (the same YAML as syncmodes sync --config; paths must be readable by every worker)')
    .option('--cron <expression>', 'a cron expression, minute precision, e.g. "*/15 * * * *"')
    .option('--every <duration>', 'or an interval (e.g. 7m, 6h, 1d): the next run starts that long after a run ends', duration(10_000))
    .option('--tz <zone>', 'time zone of --cron (IANA name, default UTC)')
    .option('--notify-url <url>', "POST a JSON summary here when a run fails or is refused (stored in the database: prefer the worker's --notify-url for a URL holding a token)")
    .addOption(stateOption())
    .action(async (name: string, flags: { config: string; cron?: string; every?: number; tz?: string; notifyUrl?: string; state?: string }) => {
      await loadWorker('schedule add');
      if ((flags.cron === undefined) === (flags.every === undefined)) throw new UsageError('Give exactly one of --cron "<expression>" and --every <duration>.', 'invalid_arguments');
      const definition = await definitionFromJob(jobFromConfig(flags.config), name);
      const schedule = { cron: flags.cron, everyMs: flags.every, tz: flags.tz, notifyUrl: flags.notifyUrl };
      const stored = await withQueue('add', flags.state, io, (q) => {
        try {
          q.checkSchedule(schedule);
        } catch (error) {
          throw new UsageError(`${(error as Error).message} Nothing was stored or changed.`, 'invalid_arguments');
        }
        return q.addSchedule(definition, schedule);
      });
      const when = stored.cron ? `cron "${stored.cron}"${stored.tz ? ` (${stored.tz})` : ' (UTC)'}` : `every ${ms(stored.everyMs as number, { long: true })}`;
      io.stdout.write(`Scheduled ${stored.name} (${stored.destination}, sync ${stored.syncId}, account ${stored.accountKey}): ${when}.\n`);
      onExit(0);
    });
}

/**
 * `yes` with the run's id (for `syncmodes runs`) and its counts so far (the non-zero ones, as
 * its worker last recorded them), or `no`.
 */
function runningText(sync: { readonly running: boolean; readonly current?: { readonly runId: string; readonly counts: Readonly<Record<string, number>> } | undefined }): string {
  if (!sync.running) return 'no';
  const run = sync.current ? `run ${sync.current.runId}, ` : '';
  const counted = Object.entries(sync.current?.counts ?? {}).filter(([, n]) => n > 0);
  if (counted.length === 0) return `yes (${run}nothing counted yet)`;
  return `yes (${run}so far ${counted.map(([outcome, n]) => `${n.toLocaleString('en-US')} ${outcome}`).join(', ')})`;
}

/** When the sync runs next, in UTC to the minute; why not known otherwise. */
function nextRunText(sync: { readonly paused: boolean; readonly running: boolean; readonly nextRunAt?: number | undefined }): string {
  if (sync.nextRunAt !== undefined) return `${new Date(sync.nextRunAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (sync.paused) return '-';
  return sync.running ? 'after this run' : 'not queued';
}

function listCommand(io: CliIo, onExit: (code: number) => void): Command {
  return new Command('list')
    .description('The stored syncs, their schedules and whether a run is queued or running.')
    .option('--json', 'JSON instead of a table')
    .addOption(stateOption())
    .action(async (flags: { json?: boolean; state?: string }) => {
      const syncs = await withQueue('list', flags.state, io, (q) => q.list());
      if (flags.json) {
        io.stdout.write(`${JSON.stringify(syncs.map(({ job: _job, ...rest }) => rest), null, 2)}\n`);
        return onExit(0);
      }
      if (syncs.length === 0) {
        io.stdout.write('No stored syncs (syncmodes schedule add <name> --config sync.yaml --cron "…" | --every 6h).\n');
        return onExit(0);
      }
      const table = new Table({ head: ['sync', 'destination', 'schedule', 'state', 'next run', 'queued', 'running'], style: { head: [], border: [] } });
      for (const s of syncs) {
        table.push([s.name, s.destination, s.cron ? `cron ${s.cron}${s.tz ? ` ${s.tz}` : ''}` : `every ${ms(s.everyMs ?? 0)}`, s.paused ? 'paused' : 'active', nextRunText(s), String(s.queued), runningText(s)]);
      }
      io.stdout.write(`${table.toString()}\n`);
      onExit(0);
    });
}

function nameCommand(verb: 'pause' | 'resume' | 'remove', description: string, io: CliIo, onExit: (code: number) => void): Command {
  return new Command(verb)
    .description(description)
    .argument('<name>', 'the stored sync')
    .addOption(stateOption())
    .action(async (name: string, flags: { state?: string }) => {
      const done = await withQueue(verb, flags.state, io, (q) => q[verb](name));
      if (!done) notFound(name);
      io.stdout.write(`${verb === 'pause' ? 'Paused' : verb === 'resume' ? 'Resumed' : 'Removed'} ${name}.\n`);
      onExit(0);
    });
}

/** `syncmodes schedule add | list | pause | resume | remove` (Node ≥ 22.12): syncs stored in Postgres, run by workers on a cron or interval. */
export function scheduleCommand(io: CliIo, onExit: (code: number) => void): Command {
  return new Command('schedule')
    .description('Syncs that workers run on a schedule (stored in Postgres without secrets; Node 22.12+).')
    .addCommand(addCommand(io, onExit))
    .addCommand(listCommand(io, onExit))
    .addCommand(nameCommand('pause', 'Stop scheduling a sync (its waiting run is cancelled; a run in progress finishes).', io, onExit))
    .addCommand(nameCommand('resume', 'Schedule a paused sync again.', io, onExit))
    .addCommand(nameCommand('remove', 'Forget a stored sync and its schedule (its state and run history stay).', io, onExit));
}
