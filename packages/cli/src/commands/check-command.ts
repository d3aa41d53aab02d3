import { existsSync, statSync } from 'node:fs';
import { checkDestination, ConfigError, InputError, secretValues, redactText, SyncError, type CheckResult } from '@syncmodes/connector-kit';
import { Command, Option } from 'commander';
import { colourAllowed } from '../output/colour';
import { cliLogger, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../output/cli-logger';
import { withFlags } from '../output/flag-hints';
import { escapeControl } from '../output/safe-text';
import { jsonText } from '../output/write-report';
import { findDestination } from '../registry/destinations';
import { EXIT, UsageError } from '../registry/exit-codes';
import { parsePairs } from '../options/key-value';
import { Cleanup } from '../run/cleanup';
import { destinationConfig } from '../run/destination-config';
import { loadConfigFile } from '../run/load-config-file';
import { checkStateDir } from '../run/open-state';
import { startEmulator } from '../run/start-emulator';
import type { CommandContext } from './context';
import { count, DEFAULT_MAX_RATE_LIMIT_WAIT_S } from './sync-command';

interface CheckFlags {
  to?: string;
  mode?: string;
  option?: string[];
  map?: string[];
  groups?: string;
  group?: string;
  emulator?: boolean;
  emulatorSeed?: string;
  stateDir?: string;
  config?: string;
  json?: boolean;
  logLevel: LogLevel;
  logFormat?: LogFormat;
  maxRateLimitWait: number;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The exit code of a check: 0 ok, 2 configuration (config, mode, fields), 3 credentials, permissions or an unreachable destination. */
export function checkExitCode(result: CheckResult): number {
  if (result.ok) return EXIT.ok;
  return result.error instanceof ConfigError || result.error instanceof InputError ? EXIT.usage : EXIT.refused;
}

/** The result with its error and failed step naming flags instead of library options. */
function withFlagsIn(result: CheckResult): CheckResult {
  const code = result.error?.code;
  if (!result.error || !code) return result;
  result.error.message = withFlags(code, result.error.message);
  return { ...result, steps: result.steps.map((s) => (s.status === 'failed' ? { ...s, detail: withFlags(code, s.detail) } : s)) };
}

/** The check's settings: the config file's (a sync job's `to`, `mode`, `options`, `map`, `groups`, …), then the flags. */
function settingsOf(flags: CheckFlags) {
  const file = flags.config ? loadConfigFile(flags.config) : {};
  return {
    to: flags.to ?? file.to,
    mode: flags.mode ?? file.mode,
    options: { ...(file.options ?? {}), ...parsePairs('--option', flags.option ?? []) },
    fields: Object.keys({ ...(file.map ?? {}), ...parsePairs('--map', flags.map ?? []) }),
    groups: flags.groups ?? file.groups,
    emulator: flags.emulator ?? file.emulator ?? false,
    emulatorSeed: flags.emulatorSeed ?? file.emulatorSeed,
    stateDir: flags.stateDir ?? file.stateDir ?? '.syncmodes',
  };
}

function formatCheck(result: CheckResult, displayName: string): string {
  const mark = { ok: 'ok  ', failed: 'FAIL', skipped: '-   ' } as const;
  const lines = result.steps.map((s) => `${mark[s.status]} ${s.step.padEnd(8)} ${escapeControl(s.detail)}`);
  const calls = Object.entries(result.calls).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`);
  lines.push('', `${displayName}: ${result.ok ? 'ready to sync' : `not ready (${result.error?.code ?? 'error'})`} · calls: ${calls.join(', ') || 'none'} · nothing was written`);
  return lines.join('\n');
}

const CHECK_HELP = `
Steps: config (options and secrets) · mode · connect (e.g. Salesforce describes the object) ·
fields (every --map target, described, nothing created) · groups (one looked up, none created).
No write request is ever sent.

Examples:
  SALESFORCE_ACCESS_TOKEN=… syncmodes check --to salesforce --option instanceUrl=https://acme.my.salesforce.com \\
    --option object=Lead --map Email=Email --map LastName="Last Name"
  syncmodes check --config sync.yaml --json

Exit codes: 0 ready · 2 configuration (invalid option, unknown field, unsupported mode; with
  --emulator, a --state-dir that is a file: state_unreadable, or under one: invalid_arguments) ·
  3 credentials refused, permissions, the destination cannot be reached, or it keeps asking
  to wait longer than --max-rate-limit-wait (rate_limited)`;

/**
 * `syncmodes check`: checks a destination's configuration and credentials without writing
 * anything (see the kit's `checkDestination`): config and secrets, connect, the mapped
 * fields described in dry-run mode, one group looked up without creating it.
 */
export function checkCommand(context: CommandContext): Command {
  return new Command('check')
    .description("Check a destination's configuration, credentials and mapped fields without writing anything.")
    .option('--to <destination>', 'destination id (see `syncmodes destinations`)')
    .option('--mode <mode>', "sync mode the sync would use (default: the destination's default)")
    .option('--option <key=value>', 'destination option (repeat); secrets come from environment variables', collect)
    .option('--map <field=column>', 'mapped destination field (repeat): each is described, none is created', collect)
    .option('--groups <column>', 'the sync maps a groups column: look one group up (without creating it)')
    .option('--group <name>', 'the group (campaign, tag, audience) to look up (default: the configured audience, else "syncmodes-check")')
    .option('--emulator', "check against the destination's local emulator")
    .option('--emulator-seed <file>', 'load this seed file into the emulator first (with --emulator)')
    .option('--state-dir <dir>', 'where --emulator keeps its data (default .syncmodes)')
    .option('--config <file>', 'a sync YAML file (to, mode, options, map, groups…); flags override it')
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--max-rate-limit-wait <seconds>', 'longest a call may wait for rate limits: a longer Retry-After, or rate limits in a row whose waits add up to more, fail the check (rate_limited)', count, DEFAULT_MAX_RATE_LIMIT_WAIT_S)
    .addOption(new Option('--log-level <level>', 'log level for stderr').choices([...LOG_LEVELS]).default('warn'))
    .addOption(new Option('--log-format <format>', 'log lines: pretty (default on a terminal) or json').choices([...LOG_FORMATS]))
    .addHelpText('after', CHECK_HELP)
    .action((flags: CheckFlags) => runCheck(context, flags));
}

/** The check itself: refuses a --state-dir --emulator cannot use, starts the emulator when asked, checks, prints the result and sets the exit code. */
async function runCheck(context: CommandContext, flags: CheckFlags): Promise<void> {
  const { io } = context;
  if (flags.json) context.jsonOutput();
  const settings = settingsOf(flags);
  if (!settings.to) throw new ConfigError('--to is required (the destination to check).', 'invalid_arguments');
  const entry = findDestination(settings.to);
  const destination = await entry.load();
  if (settings.emulatorSeed && !settings.emulator) throw new UsageError(`--emulator-seed "${settings.emulatorSeed}" seeds the local emulator: add --emulator, or drop the seed (a real destination is never seeded). Nothing was checked.`, 'invalid_arguments');
  if (settings.emulator && existsSync(settings.stateDir) && !statSync(settings.stateDir).isDirectory()) {
    // As `sync` refuses it: the emulator's data (what earlier runs wrote to it) is kept in that folder.
    throw new SyncError('state_unreadable', `--state-dir "${settings.stateDir}" is a file, not a folder: --emulator keeps its data there. Nothing was checked. Give the folder your syncs use (or move the file aside).`);
  }
  if (settings.emulator) checkStateDir(settings.stateDir, 'Nothing was checked.');
  const cleanup = new Cleanup();
  try {
    const emulator = settings.emulator ? await startEmulator(entry, destination, { stateDir: settings.stateDir, seed: settings.emulatorSeed, onWait: (message) => io.stderr.write(`${message}\n`) }, cleanup) : undefined;
    const config = destinationConfig(destination, settings.options, io.env, emulator?.config);
    const secrets = secretValues(destination.configSchema, config);
    const logger = cliLogger({ level: flags.logLevel, format: flags.logFormat, colour: colourAllowed(io.stderr, io.env) }, secrets, io.stderr);
    const result = withFlagsIn(await checkDestination({ destination, config, mode: settings.mode, fields: settings.fields, groups: settings.groups !== undefined || flags.group !== undefined, groupName: flags.group, logger, retry: { maxRateLimitWaitMs: flags.maxRateLimitWait * 1000 } }));
    const exitCode = checkExitCode(result);
    const text = flags.json
      ? jsonText({ exitCode, destination: result.destination, ok: result.ok, steps: result.steps, error: result.error ? { code: result.error.code, message: result.error.message, retryable: result.error.retryable } : null, calls: result.calls })
      : `${formatCheck(result, destination.displayName)}\n`;
    io.stdout.write(redactText(text, secrets));
    if (!result.ok && !flags.json) io.stderr.write(`${redactText(escapeControl(`error (${result.error?.code}): ${result.error?.message}`), secrets)}\n`);
    context.setExit(exitCode);
  } finally {
    await cleanup.run();
  }
}
