import { Command } from 'commander';
import { UsageError } from '../registry/exit-codes';
import type { CliIo } from '../run/run-sync-job';
import { definitionFromJob } from '../worker/definition-from-job';
import { jobFromConfig } from '../worker/job-from-config';
import { loadWorker } from '../worker/load-worker';
import { databaseUrl } from '../worker/worker-flags';

/** `syncmodes enqueue <name> | --config sync.yaml` (Node ≥ 22.12): run a sync now, on whichever worker is free. */
export function enqueueCommand(io: CliIo, onExit: (code: number) => void): Command {
  return new Command('enqueue')
    .description('Run a sync now on whichever worker is free: a stored sync by name, or a config file (Node 22.12+).')
    .argument('[name]', 'a stored sync (see `syncmodes schedule list`)')
    .option('--config <file>', 'or a sync config (stored with the run only, without secrets)')
    .option('--notify-url <url>', "POST a JSON summary here if this run fails or is refused (stored with the queued run: prefer the worker's --notify-url for a URL holding a token)")
    .option('--state <url>', 'the shared database (postgres://…; default $SYNCMODES_DATABASE_URL)')
    .action(async (name: string | undefined, flags: { config?: string; notifyUrl?: string; state?: string }) => {
      if (name === undefined && flags.config === undefined) throw new UsageError('Give a stored sync\'s name (see `syncmodes schedule list`) or --config <file>.', 'invalid_arguments');
      if (name !== undefined && flags.config !== undefined) throw new UsageError('Give a stored sync\'s name or --config <file>, not both.', 'invalid_arguments');
      const { SyncQueue } = await loadWorker('enqueue');
      const target = flags.config ? await definitionFromJob(jobFromConfig(flags.config)) : (name as string);
      const queue = await SyncQueue.open(databaseUrl(flags.state, io.env));
      try {
        const result = await queue.enqueue(target, { notifyUrl: flags.notifyUrl });
        const label = typeof target === 'string' ? target : target.name;
        if (!result) throw new UsageError(`No stored sync "${label}" (see \`syncmodes schedule list\`, or give --config).`, 'sync_not_found');
        if (result.jobId === null) io.stdout.write(`${label}: a run is already waiting in the queue; nothing more was queued (one run per sync waits at most).\n`);
        else io.stdout.write(`${label}: queued (job ${result.jobId})${result.behindRunning ? ', behind the run in progress' : ''}.\n`);
        onExit(0);
      } finally {
        await queue.close();
      }
    });
}
