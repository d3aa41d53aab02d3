import { DEFAULT_IN_FLIGHT_GRACE_MS } from '@syncmodes/connector-kit';
import { Command, InvalidArgumentError, Option } from 'commander';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../output/cli-logger';
import { STDOUT } from '../output/write-report';
import { UsageError } from '../registry/exit-codes';
import { stopSwitch } from '../run/interrupts';
import { loadConfigFile } from '../run/load-config-file';
import { duration } from '../options/duration';
import { parsePairs } from '../options/key-value';
import { runSyncJob, type RunSettings } from '../run/run-sync-job';
import { syncJobSchema, type SyncJobInput } from '../run/sync-job';
import type { CommandContext } from './context';
import { checkReportTarget } from '../output/report-clobber';

const collect = (value: string, previous: string[] = []) => [...previous, value];
export const count = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expects a whole number ≥ 0.');
  return n;
};

/** Default of `--max-rate-limit-wait`, seconds. */
export const DEFAULT_MAX_RATE_LIMIT_WAIT_S = 300;

/** What `--max-rate-limit-wait` does (sync and check). */
export const MAX_RATE_LIMIT_WAIT_HELP = 'longest a call, or the run while no call gets through, may wait for rate limits: a longer Retry-After, or rate limits in a row whose waits add up to more, stop the run (rate_limited, state kept)';

interface SyncFlags {
  to?: string;
  mode?: string;
  from?: string;
  format?: 'csv' | 'ndjson' | 'json';
  id?: string;
  syncName?: string;
  map?: string[];
  groups?: string;
  groupSeparator?: string;
  groupId?: string[];
  option?: string[];
  emulator?: boolean;
  emulatorSeed?: string;
  stateDir?: string;
  state?: string;
  query?: string;
  table?: string;
  keepRuns?: number;
  dryRun?: boolean;
  report?: string;
  allowDeletes?: number;
  allowEmptySource?: boolean;
  recheck?: boolean;
  deletePolicy?: 'owned' | 'matched';
  multilineValues?: 'check' | 'trust';
  delimiter?: string;
  config?: string;
  logLevel: LogLevel;
  logFormat?: LogFormat;
  progress: boolean;
  json?: boolean;
  quiet?: boolean;
  resetState?: boolean;
  maxRateLimitWait: number;
  wait: number;
}

/** Settings whose flag is not their name in kebab case. */
const FLAG_OF_SETTING: Readonly<Record<string, string>> = { options: '--option', groupIds: '--group-id' };

/** Merges a config file (if any) with flags (flags win) and validates the job. */
export function jobFromFlags(flags: SyncFlags) {
  const file: Partial<SyncJobInput> = flags.config ? loadConfigFile(flags.config) : {};
  const merged: Record<string, unknown> = { ...file };
  const set = (key: keyof SyncJobInput, value: unknown) => {
    if (value !== undefined) merged[key] = value;
  };
  set('to', flags.to);
  set('mode', flags.mode);
  set('from', flags.from);
  set('format', flags.format);
  set('id', flags.id);
  set('syncName', flags.syncName);
  if (flags.map && flags.map.length > 0) merged.map = { ...(file.map ?? {}), ...parsePairs('--map', flags.map) };
  set('groups', flags.groups);
  set('groupSeparator', flags.groupSeparator);
  if (flags.groupId && flags.groupId.length > 0) merged.groupIds = { ...(file.groupIds ?? {}), ...parsePairs('--group-id', flags.groupId) };
  if (flags.option && flags.option.length > 0) merged.options = { ...(file.options ?? {}), ...parsePairs('--option', flags.option) };
  set('emulator', flags.emulator);
  set('emulatorSeed', flags.emulatorSeed);
  set('stateDir', flags.stateDir);
  set('state', flags.state);
  set('query', flags.query);
  set('table', flags.table);
  set('keepRuns', flags.keepRuns);
  set('dryRun', flags.dryRun);
  set('report', flags.report);
  set('allowDeletes', flags.allowDeletes);
  set('allowEmptySource', flags.allowEmptySource);
  set('recheck', flags.recheck);
  set('deletePolicy', flags.deletePolicy);
  set('multilineValues', flags.multilineValues);
  set('delimiter', flags.delimiter);
  // reportInput: tells a missing setting from a wrong-typed one (its value is never shown).
  const parsed = syncJobSchema.safeParse(merged, { reportInput: true });
  if (!parsed.success) {
    const unknown = parsed.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : []));
    if (unknown.length > 0) {
      // Only names that look like settings are shown: a file of other lines (`--config /etc/shadow`) had them echoed, hashes and tokens too (trial 20b N10).
      const named = unknown.filter((k) => /^[A-Za-z][\w.-]{0,40}$/.test(k));
      const hidden = unknown.length - named.length;
      const listed = [...named.map((k) => `"${k}"`), ...(hidden > 0 ? [`${hidden} more that do not look like setting names (not shown: they may hold secrets)`] : [])].join(', ');
      throw new UsageError(`Unknown setting(s) ${listed}${flags.config ? ` in ${flags.config}` : ''}. Settings: ${Object.keys(syncJobSchema.shape).join(', ')}.`, 'invalid_arguments');
    }
    const flagOf = (path: PropertyKey[]) => FLAG_OF_SETTING[String(path[0])] ?? `--${String(path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    throw new UsageError(
      parsed.error.issues
        .map((i) => (i.code === 'invalid_type' && i.input === undefined ? `${flagOf(i.path)} is required` : `${flagOf(i.path)}: ${i.message}`))
        .join('; '),
      'invalid_arguments',
    );
  }
  return parsed.data;
}

/** Help text after the options: input and output, exit codes, examples. */
const SYNC_HELP = `
Input and output:
  --from -            read the source from stdin (give --format and --sync-name)
  --from <pipe>       a named pipe, /dev/stdin or <(command) is read once, as it comes (copied to a
                      temporary file); give --format when its name does not tell it, and
                      --sync-name for a /dev/… path; Ctrl-C stops a wait for its writer
  --json              stdout: exactly one JSON object, the run summary (counts, codes, calls,
                      exitCode; no per-record entries); progress and logs go to stderr
  --report -          stdout: the JSON report (one entry per input row); the table goes to stderr
  --quiet             no progress, no table: only errors on stderr (the exit code tells the rest)
  logs                human-readable on a terminal, JSON lines otherwise (--log-format);
                      NO_COLOR=1 turns colour off; control characters in values are escaped
  no answer           a request waits the destination's requestTimeoutMs (--option requestTimeoutMs=…);
                      one that timed out is sent again at most twice (a warning says so); a
                      connection that never answers, or 3 calls in a row without an answer, stop
                      the run (destination_unreachable, exit 3; state kept)
  rate limits         a wait the destination asks for (Retry-After, a reset header) is shown on
                      the progress line; a longer one than --max-rate-limit-wait, or rate limits
                      in a row to one call whose waits add up to more (a destination that says no
                      wait is waited 1, 2, 4… s), or every call answered "rate limited" for
                      longer, stop the run (rate_limited, exit 3; state kept)
  Ctrl-C / SIGTERM    stops sending, lets the calls in flight finish (those without an answer
                      after ${DEFAULT_IN_FLIGHT_GRACE_MS / 1000} s are cancelled), prints the summary and writes the report
                      (exit 130); a second Ctrl-C exits at once

Examples:
  syncmodes sync --to salesforce --emulator --mode additive \\
    --from contacts.csv --id "Customer Id" \\
    --map Email=Email --map FirstName="First Name" --map LastName="Last Name" --map Phone="Phone 1"

  SALESFORCE_ACCESS_TOKEN=… syncmodes sync --to salesforce --option instanceUrl=https://acme.my.salesforce.com \\
    --option object=Lead --mode enrich --from leads.csv --id Id --map Email=Email --report report.json

  export-contacts | syncmodes sync --to intercom --from - --format ndjson --sync-name crm-contacts \\
    --id id --map email=email --json > summary.json

Exit codes: 0 ok · 1 some records failed · 2 usage or configuration error (also state_unreadable,
  report_unwritable; a report that failed only after the run: the summary is printed first) ·
  3 run refused or stopped (authentication, quota, rate_limited, destination_unreachable, state_unwritable) ·
  130 interrupted`;

/** `syncmodes sync`: runs a sync from a file (or stdin) into a destination. */
export function syncCommand(context: CommandContext): Command {
  return new Command('sync')
    .description('Sync records from a CSV / NDJSON / JSON file (or stdin) into a destination, in a chosen sync mode.')
    .option('--to <destination>', 'destination id (see `syncmodes destinations`)')
    .option('--mode <mode>', "sync mode: sync, additive or enrich (default: the destination's default)")
    .option('--from <file>', 'source file (.csv, .ndjson/.jsonl, .json), - for stdin, or a Postgres URL (postgres://…) with --query or --table')
    .option('--query <sql>', 'with a Postgres source: the SELECT whose rows are the records (streamed with a cursor)')
    .option('--table <name>', 'with a Postgres source: a table or view, read in id order')
    .addOption(new Option('--format <format>', 'source format when the file name does not say (required with --from -)').choices(['csv', 'ndjson', 'json']))
    .option('--id <column>', "source column with each record's primary key")
    .option('--sync-name <name>', "the sync's name: state and deletions are per sync (default: the source file's name; required with --from -)")
    .option('--map <field=column>', 'destination field ← source column (repeat)', collect)
    .option('--groups <column>', 'source column with group names (campaigns, tags, audiences)')
    .option('--group-separator <sep>', 'separator between group names (default ";")')
    .option('--group-id <name=id>', 'pin the destination id of a group name several groups share (repeat); without it such a run is refused (ambiguous_group)', collect)
    .option('--option <key=value>', 'destination option, e.g. object=Lead (repeat); secrets come from environment variables', collect)
    .option('--emulator', "run against the destination's local emulator (data kept under the state directory; another run on it waits for this one)")
    .option('--emulator-seed <file>', 'load this seed file into the emulator first (with --emulator)')
    .option('--state-dir <dir>', "where the sync's state is kept (default .syncmodes)")
    .option('--state <url>', 'keep state in Postgres (postgres://…; default: $SYNCMODES_DATABASE_URL, else SQLite in --state-dir)')
    .option('--keep-runs <n>', 'runs of this sync the run history keeps (default 100; see `syncmodes runs`)', count)
    .option('--reset-state', 'move the state file aside to <file>.bad-<time> first and start over (for a state file that cannot be read; every sync in it then owns nothing); refused while a run of a sync in it is running (sync_running)')
    .option('--dry-run', 'plan only: look records up, send nothing, change no state')
    .option('--report <file>', 'write a report: report.html (a page to look at), report.json (one entry per input row), or - (JSON on stdout); missing folders are created; a link is followed, a device or named pipe written in place; a path that cannot be written (a folder, under a file, no permission) is refused before anything is sent (report_unwritable)')
    .option('--allow-deletes <n>', 'most deletes this run may send (default: 1,000 or 10% of owned records)', count)
    .option('--allow-empty-source', "allow a run whose source is empty while the sync has exported before")
    .option('--recheck', 'look every record up again, unchanged ones too: re-creates (or restores) records deleted or archived in the destination since this sync wrote them; a lookup for every record')
    .addOption(new Option('--delete-policy <policy>', 'which records sync mode may delete').choices(['owned', 'matched']))
    .option('--delimiter <char>', 'CSV: the field delimiter, one character, e.g. ";" (tab: tab); default "," (tab for .tsv files), or the one a first line sep=; names')
    .addOption(new Option('--multiline-values <how>', 'CSV: check (default) fails a row whose quoted value runs over lines that look like rows (a stray quote); trust reads such values as they are').choices(['check', 'trust']))
    .option('--max-rate-limit-wait <seconds>', MAX_RATE_LIMIT_WAIT_HELP, count, DEFAULT_MAX_RATE_LIMIT_WAIT_S)
    .option('--wait <duration>', 'while another run of this sync, or of another sync into the same records, is running: wait up to this long for it to end (e.g. 10m; tried every 2 s) instead of being refused at once (sync_running, sync_overlap: exit 3)', duration(0), 0)
    .option('--config <file>', 'YAML file with these settings (flags override it)')
    .option('--json', 'print the run summary as one JSON object on stdout (nothing else on stdout)')
    .option('--quiet', 'no progress and no summary table: only errors, on stderr')
    .addOption(new Option('--log-level <level>', 'log level for stderr').choices([...LOG_LEVELS]).default('warn'))
    .addOption(new Option('--log-format <format>', 'log lines: pretty (default on a terminal) or json (default otherwise)').choices([...LOG_FORMATS]))
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', SYNC_HELP)
    .action((flags: SyncFlags) => syncAction(context, flags));
}

/** Runs the job the flags (and config file) describe, with Ctrl-C / SIGTERM as its stop switch; sets the exit code. */
async function syncAction(context: CommandContext, flags: SyncFlags): Promise<void> {
  const { io } = context;
  if (flags.json) context.jsonOutput();
  const job = jobFromFlags(flags);
  if (flags.json && job.report === STDOUT) {
    throw new UsageError('--json and --report - both write to stdout: keep one (or write the report to a file).', 'invalid_arguments');
  }
  // The config file too (re-check of trial 20b: --report at it replaced the YAML, exit 0); the other files: runSyncJob.
  if (flags.config && job.report && job.report !== STDOUT) checkReportTarget(job.report, { config: flags.config, stateDir: job.stateDir });
  const stop = stopSwitch(context.interrupts, io.stderr, context.exitNow);
  try {
    const settings: RunSettings = {
      logLevel: flags.quiet && flags.logLevel !== 'silent' ? 'error' : flags.logLevel,
      logFormat: flags.logFormat,
      progress: flags.progress && !flags.quiet,
      output: flags.json ? 'json' : flags.quiet ? 'quiet' : 'table',
      resetState: flags.resetState,
      maxRateLimitWaitMs: flags.maxRateLimitWait * 1000,
      waitForOtherRunMs: flags.wait,
      signal: stop.signal,
      onStage: (stage) => stop.stage(stage),
      reportSignal: stop.reportSignal,
      beforeExit: (print) => stop.beforeExit(print),
    };
    const { exitCode } = await runSyncJob(job, settings, io);
    context.setExit(exitCode);
  } finally {
    stop.dispose();
  }
}
