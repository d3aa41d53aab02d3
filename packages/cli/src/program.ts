import { ConfigError, InputError, SyncError } from '@syncmodes/connector-kit';
import { Command, CommanderError } from 'commander';
import { checkCommand } from './commands/check-command';
import type { CommandContext } from './commands/context';
import { destinationsCommand } from './commands/destinations-command';
import { emulatorCommand } from './commands/emulator-command';
import { enqueueCommand } from './commands/enqueue-command';
import { runsCommand } from './commands/runs-command';
import { scheduleCommand } from './commands/schedule-command';
import { stateCommand } from './commands/state-command';
import { workerCommand } from './commands/worker-command';
import { syncCommand } from './commands/sync-command';
import { withFlags } from './output/flag-hints';
import { escapeControl } from './output/safe-text';
import { jsonText } from './output/write-report';
import { EXIT, UsageError } from './registry/exit-codes';
import { kitUrlFrom } from './registry/plugins';
import { versionLines } from './registry/versions';
import type { EarlyInterrupts } from './early-interrupts';
import { processInterrupts, type Interrupts } from './run/interrupts';
import { stateError } from './run/open-state';
import type { CliIo } from './run/run-sync-job';

/** Options of {@link main}. */
export interface MainOptions {
  readonly io?: CliIo;
  /** Resolves when a long-running command (the emulator) should stop. Default: SIGINT or SIGTERM. */
  readonly waitForStop?: () => Promise<void>;
  /** The calling module's URL (the `syncmodes` bin passes its own), to check plugins share the CLI's connector-kit and to find the installed destination packages' versions. */
  readonly cliModuleUrl?: string;
  /**
   * Where Ctrl-C / SIGTERM come from during a sync. Default: the process's SIGINT and
   * SIGTERM. The `syncmodes` bin passes the ones it caught from its first line
   * (`catchEarlyInterrupts`); they are released for every command but `sync`.
   */
  readonly interrupts?: Interrupts | EarlyInterrupts;
  /** Ends the process at once on a second interrupt. Default: `process.exit`. */
  readonly exitNow?: (code: number) => void;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/**
 * The exit code and the one line an error that ended a command is reported with (never a
 * stack trace for a known error). The kit's messages name `runSync` options; this names
 * the flags instead (see `FLAG_HINTS`).
 */
export function describeError(error: unknown): { code: string; message: string; exitCode: number } {
  const problem = describeKnown(error);
  return { ...problem, message: withFlags(problem.code, problem.message) };
}

function describeKnown(error: unknown): { code: string; message: string; exitCode: number } {
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof InputError) return { code: error.code, message: error.message, exitCode: EXIT.usage };
  // A file-system error names its own file (an emulator's lock or data file under --state-dir); a raw SQLite one names none.
  const path = (error as { path?: unknown } | null)?.path;
  const state = stateError(error, typeof path === 'string' ? path : 'the state folder');
  if (state) return { code: state.code, message: state.message, exitCode: state.code === 'state_unreadable' ? EXIT.usage : EXIT.refused };
  // Interrupted before the run started (waiting for another run's emulator): nothing to add, 130 as for any interrupt.
  if (error instanceof SyncError && error.code === 'interrupted') return { code: error.code, message: error.message, exitCode: EXIT.interrupted };
  if (error instanceof SyncError) {
    // A sync that is running (state forget) was refused before anything was tried: no retries to speak of.
    const after = error.retryable && error.code !== 'sync_running' ? ' The retries are spent and the run stopped; what was sent is in the state, so running again later continues from there.' : '';
    return { code: error.code, message: `${error.message}${after}`, exitCode: EXIT.refused };
  }
  return { code: 'unexpected_error', message: error instanceof Error ? (error.stack ?? error.message) : String(error), exitCode: EXIT.usage };
}

/** Commander's own messages quote what was typed (an unknown flag, a bad choice): control characters in it are escaped, line breaks kept (fourteenth trial of #17). */
const escapeLines = (text: string) => text.split('\n').map(escapeControl).join('\n');

function program(context: CommandContext, options: MainOptions): Command {
  const { io } = context;
  const root = new Command('syncmodes')
    .description('Push records from your own data into SaaS tools, in a sync mode you choose: sync, additive or enrich.')
    .option('-V, --version', 'print the version of the CLI and of every installed destination package')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(escapeLines(s)) })
    .exitOverride();
  root.addCommand(syncCommand(context));
  root.addCommand(checkCommand(context));
  root.addCommand(stateCommand(context));
  root.addCommand(emulatorCommand(io, options.waitForStop ?? untilSignal));
  root.addCommand(destinationsCommand(io, { ownKitUrl: options.cliModuleUrl ? kitUrlFrom(options.cliModuleUrl) : undefined }));
  root.addCommand(runsCommand(io, context.setExit, context.jsonOutput));
  root.addCommand(workerCommand(io, options.waitForStop ?? untilSignal));
  root.addCommand(scheduleCommand(io, context.setExit));
  root.addCommand(enqueueCommand(io, context.setExit));
  const configure = (command: Command) => {
    command.exitOverride();
    command.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(escapeLines(s)) });
    command.commands.forEach(configure);
  };
  root.commands.forEach(configure);
  // Interrupts caught since the process started are `sync`'s (a stop with a summary); any other command gets the OS default back.
  const early = options.interrupts && 'release' in options.interrupts ? options.interrupts : undefined;
  if (early) root.hook('preAction', (_root, action) => (action.name() === 'sync' && action.parent === root ? undefined : early.release()));
  return root;
}

/**
 * The `syncmodes` commands and their options, as commander holds them, for generated
 * docs (the CLI README's flag tables): built, never run.
 */
export function commandTree(): Command {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: {} };
  const ignore = () => undefined;
  return program({ io, setExit: ignore, interrupts: processInterrupts, exitNow: ignore, jsonOutput: ignore }, { waitForStop: () => Promise.resolve() });
}

/**
 * Runs the `syncmodes` command line with `argv` (without `node` and the script) and
 * returns the exit code: 0 ok, 1 some records failed, 2 usage or configuration error,
 * 3 run refused or stopped, 130 interrupted. Never calls `process.exit` (except on a second
 * Ctrl-C during a sync, through `exitNow`); the `syncmodes` bin ends the process.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const io: CliIo = options.io ?? { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin: process.stdin };
  let exitCode: number = EXIT.ok;
  let json = false;
  const context: CommandContext = {
    io,
    setExit: (code) => (exitCode = code),
    interrupts: options.interrupts ?? processInterrupts,
    exitNow: options.exitNow ?? ((code) => process.exit(code)),
    jsonOutput: () => (json = true),
  };
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${versionLines(process.cwd(), options.cliModuleUrl).join('\n')}\n`);
    return EXIT.ok;
  }
  try {
    await program(context, options).parseAsync(['node', 'syncmodes', ...argv]);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return EXIT.ok;
      // Commander has printed its message on stderr; `--json` also gets the error as one JSON object.
      const flags = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
      if (flags.includes('--json')) io.stdout.write(jsonText({ exitCode: EXIT.usage, status: 'error', error: { code: 'usage_error', message: error.message.replace(/^error: /, '') } }));
      return EXIT.usage;
    }
    const problem = describeError(error);
    io.stderr.write(`${problem.code === 'unexpected_error' ? 'unexpected error' : `error (${problem.code})`}: ${problem.message.split('\n').map(escapeControl).join('\n')}\n`);
    if (json) io.stdout.write(jsonText({ exitCode: problem.exitCode, status: 'error', error: { code: problem.code, message: problem.message } }));
    return problem.exitCode;
  }
}
