import { ConfigError, InputError, SyncError } from '@syncmodes/connector-kit';
import { Command, CommanderError } from 'commander';
import cliPackage from '../package.json' with { type: 'json' };
import { destinationsCommand } from './commands/destinations-command';
import { kitUrlFrom } from './registry/plugins';
import { emulatorCommand } from './commands/emulator-command';
import { enqueueCommand } from './commands/enqueue-command';
import { runsCommand } from './commands/runs-command';
import { scheduleCommand } from './commands/schedule-command';
import { workerCommand } from './commands/worker-command';
import { syncCommand } from './commands/sync-command';
import { EXIT, UsageError } from './registry/exit-codes';
import type { CliIo } from './run/run-sync-job';

/** Options of {@link main}. */
export interface MainOptions {
  readonly io?: CliIo;
  /** Resolves when a long-running command (the emulator) should stop. Default: SIGINT or SIGTERM. */
  readonly waitForStop?: () => Promise<void>;
  /** The calling module's URL (the `syncmodes` bin passes its own), to check plugins share the CLI's connector-kit. */
  readonly cliModuleUrl?: string;
}


function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * Runs the `syncmodes` command line with `argv` (without `node` and the script) and
 * returns the exit code: 0 ok, 1 some records failed, 2 usage or configuration error,
 * 3 run refused or stopped. Never calls `process.exit`.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io: CliIo = options.io ?? { stdout: process.stdout, stderr: process.stderr, env: process.env };
  let exitCode: number = EXIT.ok;
  const program = new Command('syncmodes')
    .description('Push records from your own data into SaaS tools, in a sync mode you choose: sync, additive or enrich.')
    .version(cliPackage.version)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride();
  program.addCommand(syncCommand(io, (code) => (exitCode = code)));
  program.addCommand(emulatorCommand(io, options.waitForStop ?? untilSignal));
  program.addCommand(destinationsCommand(io, { ownKitUrl: options.cliModuleUrl ? kitUrlFrom(options.cliModuleUrl) : undefined }));
  program.addCommand(runsCommand(io, (code) => (exitCode = code)));
  program.addCommand(workerCommand(io, options.waitForStop ?? untilSignal));
  program.addCommand(scheduleCommand(io, (code) => (exitCode = code)));
  program.addCommand(enqueueCommand(io, (code) => (exitCode = code)));
  for (const command of [...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
    command.exitOverride();
    command.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }
  try {
    await program.parseAsync(['node', 'syncmodes', ...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof InputError) {
      io.stderr.write(`error (${error.code}): ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof SyncError) {
      const after = error.retryable ? ' The retries are spent and the run stopped; what was sent is in the state, so running again later continues from there.' : '';
      io.stderr.write(`error (${error.code}): ${error.message}${after}\n`);
      return EXIT.refused;
    }
    io.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.usage;
  }
}
