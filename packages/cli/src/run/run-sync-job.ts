import { basename, join } from 'node:path';
import {
  buildReport,
  DEFAULT_IN_FLIGHT_GRACE_MS,
  emptyCallStats,
  ConfigError,
  identityOf,
  InputError,
  maxAnswerBytes,
  maxStreamBytes,
  parseConfig,
  resolveSyncMode,
  runSync,
  secretValues,
  syncIdFor,
  toSyncError,
  type AnyDestination,
  type RecordSource,
  type RunSyncOptions,
  type StateStore,
  type SyncError,
  type SyncReport,
  type SyncRunSummary,
} from '@syncmodes/connector-kit';
import { colourAllowed } from '../output/colour';
import { cliLogger, type LogFormat, type LogLevel } from '../output/cli-logger';
import { reportWithFlags, resultWithFlags } from '../output/flag-hints';
import { printRun, type OutputMode } from '../output/print-run';
import { progressReporter, type RunProgress } from '../output/progress-bar';
import { findDestination, type DestinationEntry } from '../registry/destinations';
import { EXIT, UsageError } from '../registry/exit-codes';
import { Cleanup } from './cleanup';
import type { StopStage } from './interrupts';
import { destinationConfig } from './destination-config';
import { checkJobSource, defaultSyncName, openRunSource, sourceSecrets, STDIN } from './job-source';
import { openJobState, stateUrlOf } from './job-state';
import { STATE_FILE, stateError } from './open-state';
import { resetState } from './reset-state';
import { recordCliRun, recordCliRunFailed, recordCliRunStart } from './record-run';
import { startEmulator } from './start-emulator';
import { stoppedSummary } from './stopped-summary';
import { ResultSink } from './result-sink';
import { JsonReportStream } from '../output/report-stream';
import { reportFormat, STDOUT, writeReport } from '../output/write-report';
import { checkReportPath, REPORT_GIVEN_UP, reportWriteError } from '../output/report-path';
import { checkReportTarget } from '../output/report-clobber';
import type { ReportWait } from '../output/report-file';
import { escapeControl } from '../output/safe-text';
import type { SyncJob } from './sync-job';

export { STDIN } from './job-source';

/** The default sync name: the source file's name without folder and extension. */
export function syncNameOf(path: string): string {
  return basename(path).replace(/\.[^.]+$/, '') || basename(path);
}

/** Where the CLI writes and what it reads from its environment. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where `--from -` reads and `state forget` asks for confirmation. Default: `process.stdin`. */
  readonly stdin?: (NodeJS.ReadableStream & { readonly isTTY?: boolean | undefined }) | undefined;
}

/** Extra knobs of a run that are not part of the job itself. */
export interface RunSettings {
  readonly logLevel: LogLevel;
  /** Default: `pretty` on a terminal, `json` otherwise. */
  readonly logFormat?: LogFormat | undefined;
  readonly progress: boolean;
  /** Default `table`. */
  readonly output?: OutputMode | undefined;
  /** Move the state file aside first (`--reset-state`). */
  readonly resetState?: boolean | undefined;
  /** Longest rate-limit wait the run accepts (`--max-rate-limit-wait`), ms; a longer `Retry-After` stops it with `rate_limited`. */
  readonly maxRateLimitWaitMs?: number | undefined;
  /** How long the run waits while another run holds its sync or its records (`--wait`), ms; default 0: refused at once. */
  readonly waitForOtherRunMs?: number | undefined;
  /** Aborted to stop the run (Ctrl-C): no new calls, calls in flight finish, the summary and report are written. */
  readonly signal?: AbortSignal | undefined;
  /** Told what an interrupt would stop now (so its message can say so): see {@link StopStage}. */
  readonly onStage?: ((stage: StopStage) => void) | undefined;
  /** Aborted to give up a report still waiting for a named pipe's reader. Default: `signal`, when it was not aborted before the wait. */
  readonly reportSignal?: AbortSignal | undefined;
  /** Given what prints the summary once the run has one (`undefined` once it is printed): a second interrupt prints it before exiting at once. */
  readonly beforeExit?: ((print: (() => void) | undefined) => void) | undefined;
}

/** The outcome of a CLI sync: the report and the exit code it implies. */
export interface SyncJobResult {
  readonly report: SyncReport;
  readonly exitCode: number;
}

/** The exit code a report implies: 0 nothing failed, 1 some records failed, 3 refused or stopped (2 when stopped by an unreadable state store), 130 interrupted. */
export function exitCodeOf(report: SyncReport): number {
  if (report.status === 'stopped' && report.reason?.code === 'interrupted') return EXIT.interrupted;
  if (report.status === 'stopped' && report.reason?.code === 'state_unreadable') return EXIT.usage;
  if (report.status !== 'completed') return EXIT.refused;
  return report.counts.failed > 0 ? EXIT.recordsFailed : EXIT.ok;
}

/** Refuses what a job cannot do before anything starts. */
function checkJob(job: SyncJob, destination: AnyDestination): void {
  // Refuse an unsupported mode before anything starts (an emulator would save its data).
  resolveSyncMode(destination, job.mode);
  if (job.from === STDIN) {
    if (!job.format) throw new UsageError('--from - reads the source from stdin: give its format with --format csv, ndjson or json.', 'format_required');
    if (!job.syncName) {
      throw new UsageError('--from - has no file name to name the sync after: give --sync-name (the same one on every run of this sync).', 'sync_name_required');
    }
  } else {
    checkJobSource(job);
  }
}

/** Everything one run needs, once the destination, state, config and source are open. */
interface OpenRun {
  readonly job: SyncJob;
  readonly settings: RunSettings;
  readonly destination: AnyDestination;
  readonly config: Record<string, unknown>;
  readonly identityOverrides: Record<string, unknown>;
  readonly state: StateStore;
  readonly statePath: string;
  readonly source: RecordSource;
  readonly syncName: string;
  readonly logger: ReturnType<typeof cliLogger>;
  readonly progress: { update(p: RunProgress): void; stop(): void };
  /** Where every result goes as it is decided (report tally, JSON report, counts). */
  readonly sink: ResultSink;
  /** The JSON report file being written as the run goes (`--report *.json` / `-`). */
  readonly stream: JsonReportStream | undefined;
  /** Values scrubbed from everything printed and written. */
  readonly secrets: readonly string[];
  readonly io: CliIo;
}

/**
 * Runs the engine. When it ends with an error rather than a summary (the destination could
 * not be reached once retries were spent, the state store failed, or the run was
 * interrupted before the engine could answer), the summary is built here: the results made final so far, and every other
 * row as `not_sent`, so a report is still written. Config and input errors are thrown.
 */
async function runOrStop(run: OpenRun): Promise<SyncRunSummary> {
  const startedMs = Date.now();
  const options: RunSyncOptions = {
    destination: run.destination,
    config: run.config,
    mode: run.job.mode,
    source: run.source,
    state: run.state,
    sourceKey: run.job.id,
    syncName: run.syncName,
    identityOverrides: run.identityOverrides,
    dryRun: run.job.dryRun,
    groupIds: run.job.groupIds,
    deletePolicy: run.job.deletePolicy,
    guard: { maxDeletes: run.job.allowDeletes, allowEmptySource: run.job.allowEmptySource },
    recheck: run.job.recheck,
    logger: run.logger,
    signal: run.settings.signal,
    maxRateLimitWaitMs: run.settings.maxRateLimitWaitMs,
    waitForOtherRunMs: run.settings.waitForOtherRunMs,
    onProgress: (p) => {
      last = p;
      run.progress.update(p);
    },
    onResult: run.sink.add,
  };
  let last: RunProgress | undefined;
  // Exiting at once (a second interrupt) before the run has its summary: the counts decided so far, the others not_sent.
  run.settings.beforeExit?.(() => printPartial(run, startedMs, last));
  try {
    return await runSync(options);
  } catch (thrown) {
    // A state store that fails mid-run stops the run like any other stop: the report still says what happened to each row.
    const aborted = run.settings.signal?.aborted === true;
    const error = aborted ? toSyncError(run.settings.signal?.reason) : (stateError(thrown, run.statePath) ?? toSyncError(thrown));
    if (!aborted && (error instanceof ConfigError || error instanceof InputError)) throw error;
    return stoppedSummaryOf(run, error, startedMs, syncIdOf(run), last);
  }
}

/**
 * Counts the records the run had still to decide (from its last progress) as `not_sent`
 * skips, in `sink`: input rows and records that left the source apart. Returns how many.
 */
export function countUndecided(sink: ResultSink, progress: RunProgress | undefined): number {
  if (!progress) return 0;
  // From the sink's own counts: the last progress may be up to 99 results behind (re-check of trial 20b: 49 departures invented).
  const departing = progress.departing ?? 0;
  const rowsLeft = Math.max(0, progress.total - departing - sink.tally.inputRows);
  const departuresLeft = Math.max(0, departing - sink.tally.departed);
  const undecided = rowsLeft + departuresLeft;
  if (undecided === 0) return 0;
  sink.tally.inputRows += rowsLeft;
  sink.tally.departed += departuresLeft;
  sink.tally.codes.skipped.not_sent = (sink.tally.codes.skipped.not_sent ?? 0) + undecided;
  sink.counts.skipped += undecided;
  sink.actions.skip += undecided;
  return undecided;
}

/**
 * Prints the summary of a run ended at once by a second interrupt while it ran: the results
 * decided so far, and every other record the scan counted (`progress`) as `not_sent` (the
 * source is not read again), said interrupted, and the report said not written.
 */
function printPartial(run: OpenRun, startedMs: number, progress: RunProgress | undefined): void {
  const undecided = countUndecided(run.sink, progress);
  const summary: SyncRunSummary = {
    destination: run.destination.id,
    mode: resolveSyncMode(run.destination, run.job.mode),
    dryRun: run.job.dryRun,
    syncId: syncIdOf(run),
    status: 'stopped',
    reason: {
      code: 'interrupted',
      message:
        'Interrupted twice: exited at once.' +
        (undecided > 0
          ? ` ${undecided.toLocaleString('en-US')} record(s) not yet decided are counted not_sent: not sent, or their calls were still in flight (state marks those pending; the next run looks them up).`
          : progress === undefined || progress.phase === 'scanning'
            ? ' The source was still being read: nothing was sent.'
            : ' The counts are the rows decided so far.') +
        ' Running again continues from the state.',
    },
    counts: run.sink.counts,
    actions: run.sink.actions,
    results: [],
    // The calls counted so far (a live view: current even when the last progress is older).
    stats: progress?.stats ?? emptyCallStats(),
    notices: [],
    durationMs: Date.now() - startedMs,
  };
  const report = reportWithFlags(buildReport(summary, run.source.name, new Date(startedMs), run.sink.tally));
  const reportError = run.job.report ? new UsageError(`The report "${run.job.report}" was not written: exited at once on a second interrupt.`, 'report_unwritable') : undefined;
  printRun(report, { output: run.settings.output ?? 'table', reportPath: run.job.report, destinationName: run.destination.displayName, syncName: run.syncName, secrets: run.secrets, exitCode: EXIT.interrupted, reportError }, run.io);
}

/** The sync's id: its destination, identity config (with the emulator's overrides), id column and name. */
function syncIdOf(run: OpenRun): string {
  const parsed = parseConfig(run.destination, run.config) as Record<string, unknown>;
  const identity = { ...identityOf(run.destination.configSchema, parsed), ...run.identityOverrides };
  return syncIdFor(run.destination.id, identity, run.job.id, run.syncName);
}

function stoppedSummaryOf(run: OpenRun, error: SyncError, startedMs: number, syncId: string, progress?: RunProgress): Promise<SyncRunSummary> {
  return stoppedSummary({ destination: run.destination.id, mode: resolveSyncMode(run.destination, run.job.mode), dryRun: run.job.dryRun, syncId, error, source: run.source, sink: run.sink, startedMs, stats: progress?.stats });
}

/** Keeps the sync's name with its state (for `syncmodes state`), after a real run; a failure here only costs the name. */
async function rememberName(run: OpenRun, summary: SyncRunSummary): Promise<void> {
  if (run.job.dryRun) return;
  try {
    const parsed = parseConfig(run.destination, run.config) as Record<string, unknown>;
    const identity = { ...identityOf(run.destination.configSchema, parsed), ...run.identityOverrides };
    await run.state.registerSync({ syncId: summary.syncId, destination: run.destination.id, identity, name: run.syncName });
  } catch (error) {
    run.logger.warn('could not keep the sync name with its state', { code: toSyncError(error).code });
  }
}

/**
 * Runs one sync job: loads the destination, opens the state (`<state-dir>/state.sqlite`),
 * starts its emulator when asked (data kept at `<state-dir>/emulators/<id>.json`), opens
 * the source (a file, or stdin for `--from -`), runs the sync with a progress bar, writes
 * the report and prints the outcome. Everything opened is closed in one cleanup, whatever fails.
 *
 * Exit codes: 0 nothing failed, 1 some records failed, 3 refused or stopped, 130 interrupted.
 *
 * @throws {@link UsageError} for usage and configuration problems (exit 2), the kit's
 *   `ConfigError` / `InputError` for an unusable config or source, and a `SyncError`
 *   `state_unreadable` (exit 2) / `state_unwritable` (exit 3) for a state store that cannot be used.
 */
export async function runSyncJob(job: SyncJob, settings: RunSettings, io: CliIo): Promise<SyncJobResult> {
  const cleanup = new Cleanup();
  try {
    const entry = findDestination(job.to);
    const destination = await entry.load();
    await beforeOpening(job, destination, settings, io);
    const run = await openRun(job, settings, io, entry, destination, cleanup);
    const startedAt = new Date();
    const start = { syncId: syncIdOf(run), syncName: run.syncName, destination: destination.id, mode: resolveSyncMode(destination, job.mode), source: run.source.name, startedAt: startedAt.getTime(), keep: job.keepRuns };
    const runId = await recordCliRunStart(run.state, start, job.dryRun, run.logger);
    const summary = await runOrStop(run).catch(async (error: unknown) => {
      run.stream?.fail(error);
      if (!job.dryRun) await recordCliRunFailed(run.state, { ...start, runId, secrets: run.secrets }, error, run.logger);
      throw error;
    });
    run.progress.stop();
    await rememberName(run, summary);
    await recordCliRun(run.state, summary, { runId, syncName: run.syncName, source: run.source.name, startedAt: startedAt.getTime(), keep: job.keepRuns, tally: run.sink.tally, secrets: run.secrets }, run.logger);
    return await finishRun(run, summary, startedAt, io);
  } finally {
    await cleanup.run();
  }
}

/** Before anything is opened or sent: what the job cannot do, a report path that cannot be written (found out only after the run otherwise), `--reset-state`. */
async function beforeOpening(job: SyncJob, destination: AnyDestination, settings: RunSettings, io: CliIo): Promise<void> {
  checkJob(job, destination);
  // A seed without the emulator was ignored, and the run went to the real destination (new-user check 132).
  if (job.emulatorSeed && !job.emulator) throw new UsageError(`--emulator-seed "${job.emulatorSeed}" seeds the local emulator: add --emulator, or drop the seed (a real destination is never seeded). Nothing was sent.`, 'invalid_arguments');
  // The environment's byte limits: a bad one (invalid_config) before the state is opened (the fresh trial on #17 found the state made and the run listed).
  maxAnswerBytes();
  maxStreamBytes();
  if (job.report && job.report !== STDOUT) {
    checkReportPath(job.report);
    checkReportTarget(job.report, { source: job.from === STDIN ? undefined : job.from, emulatorSeed: job.emulatorSeed, stateDir: job.stateDir });
  }
  if (!settings.resetState) return;
  if (stateUrlOf(job, io.env)) {
    throw new UsageError('--reset-state moves a SQLite state file aside; for state in Postgres, forget one sync with `syncmodes state forget`.', 'invalid_arguments');
  }
  const moved = await resetState(job.stateDir);
  io.stderr.write(moved ? `--reset-state: moved "${moved.from}" aside to "${moved.to}"; every sync in it starts over.\n` : '--reset-state: there was no state to move aside.\n');
}

/** The job's emulator (`--emulator`): while another run holds its data, this one says so and waits; Ctrl-C ends the wait (exit 130, nothing sent). */
async function startEmulatorFor(job: SyncJob, settings: RunSettings, io: CliIo, entry: DestinationEntry, destination: AnyDestination, cleanup: Cleanup) {
  const onWait = (message: string) => {
    settings.onStage?.('waiting');
    io.stderr.write(`${message}\n`);
  };
  const started = await startEmulator(entry, destination, { stateDir: job.stateDir, seed: job.emulatorSeed, signal: settings.signal, onWait }, cleanup);
  settings.onStage?.('running');
  return started;
}

/** Opens what a run needs: the state, the emulator (when asked), the config, the logger, the source, the progress bar and the JSON report; `cleanup` closes each. */
async function openRun(job: SyncJob, settings: RunSettings, io: CliIo, entry: DestinationEntry, destination: AnyDestination, cleanup: Cleanup): Promise<OpenRun> {
  const opened = await openJobState(job, io.env, settings.signal);
  const state: StateStore = opened.state;
  cleanup.defer(() => state.close());
  const emulator = job.emulator ? await startEmulatorFor(job, settings, io, entry, destination, cleanup) : undefined;
  const config = destinationConfig(destination, job.options, io.env, emulator?.config);
  const secrets = [...secretValues(destination.configSchema, config), ...opened.secrets, ...(await sourceSecrets(job))];
  const logger = cliLogger({ level: settings.logLevel, format: settings.logFormat, colour: colourAllowed(io.stderr, io.env) }, secrets, io.stderr);
  const mapping = { idColumn: job.id, fields: job.map, groupSeparator: job.groupSeparator, ...(job.groups ? { groupsColumn: job.groups } : {}) };
  const source = await openRunSource(job, mapping, io, settings.signal, cleanup);
  const progress = progressReporter(io.stderr, settings.progress && settings.output !== 'quiet');
  cleanup.defer(() => progress.stop());
  const stream = job.report && reportFormat(job.report) === 'json' ? new JsonReportStream(job.report === STDOUT ? io.stdout : job.report, secrets) : undefined;
  if (stream) cleanup.defer(() => stream.close(reportWait(settings, io)));
  const sink = new ResultSink(stream ? (r) => stream.write(resultWithFlags(r)) : undefined);
  const identityOverrides = emulator?.identityOverrides ?? {};
  return { job, settings, destination, config, identityOverrides, state, statePath: join(job.stateDir, STATE_FILE), source, syncName: defaultSyncName(job), logger, progress, sink, stream, secrets, io };
}

/**
 * How the report waits for a named pipe's reader: says so after a second; an interrupt
 * meanwhile gives the report up. A run already stopped by an interrupt waits at most the
 * grace it gave calls in flight (`DEFAULT_IN_FLIGHT_GRACE_MS`), then gives the report up:
 * its summary is never held by a reader that does not read.
 */
function reportWait(settings: RunSettings, io: CliIo): ReportWait {
  const stopped = settings.signal?.aborted === true;
  const bound = stopped ? ` (the run was interrupted: given up after ${DEFAULT_IN_FLIGHT_GRACE_MS / 1000} s)` : '';
  return {
    signal: settings.reportSignal ?? (stopped ? undefined : settings.signal),
    giveUpAfterMs: stopped ? DEFAULT_IN_FLIGHT_GRACE_MS : undefined,
    onSlowReader: (path) => io.stderr.write(`Waiting for the process reading "${escapeControl(path)}" to read the rest of the report${bound} (Ctrl-C gives the report up).\n`),
  };
}

/**
 * Writes the report (the JSON report, written as the run went, is closed; an HTML report is
 * written now) and prints the outcome. A report that could not be written (found only after
 * the run): the summary is still printed, then the error; exit 2 unless the run itself
 * stopped (3, 130). Interrupted: 130 even when the run had nothing left to stop. A report
 * to a named pipe waits for its reader; an interrupt then gives it up (`report_unwritable`,
 * exit 130).
 */
async function finishRun(run: OpenRun, summary: SyncRunSummary, startedAt: Date, io: CliIo): Promise<SyncJobResult> {
  const { job, destination, secrets } = run;
  // The kit's messages name runSync options; what the CLI prints and writes names its flags.
  const report = reportWithFlags(buildReport(summary, run.source.name, startedAt, run.sink.tally));
  let reportError: UsageError | undefined;
  const print = (error: UsageError | undefined) => {
    const runExit = run.settings.signal?.aborted ? EXIT.interrupted : exitCodeOf(report);
    const exitCode = error && runExit < EXIT.usage ? EXIT.usage : runExit;
    printRun(report, { output: run.settings.output ?? 'table', reportPath: job.report, destinationName: destination.displayName, syncName: run.syncName, secrets, exitCode, reportError: error }, io);
    return exitCode;
  };
  // Exiting at once (a second interrupt) while the report waits: the summary still, with the report said given up.
  run.settings.beforeExit?.(() => print(reportWriteError(Object.assign(new Error('given up'), { code: REPORT_GIVEN_UP }), job.report ?? '', 'after')));
  run.settings.onStage?.('reporting');
  const wait = reportWait(run.settings, io);
  try {
    await run.stream?.finish(report, wait);
    if (job.report && job.report !== STDOUT && reportFormat(job.report) === 'html') await writeReport(job.report, report, secrets, destination.displayName, undefined, 'after', wait);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    reportError = error;
  }
  run.settings.beforeExit?.(undefined);
  const exitCode = print(reportError);
  return { report, exitCode };
}
