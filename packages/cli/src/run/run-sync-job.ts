import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildReport, configFields, resolveSyncMode, runSync, secretValues, type SyncReport } from '@syncmodes/connector-kit';
import type { EmulatorServer } from '@syncmodes/connector-kit/emulator';
import { cliLogger, type LogLevel } from '../output/cli-logger';
import { progressReporter } from '../output/progress-bar';
import { formatSummary } from '../output/summary';
import { writeReport } from '../output/write-report';
import { findDestination } from '../registry/destinations';
import { EXIT, UsageError } from '../registry/exit-codes';
import { destinationConfig } from './destination-config';
import { checkJobSource, defaultSyncName, openJobSource, sourceSecrets } from './job-source';
import { openJobState } from './job-state';
import { recordCliRun } from './record-run';
import type { SyncJob } from './sync-job';

/** The default sync name: the source file's name without folder and extension. */
export function syncNameOf(path: string): string {
  return basename(path).replace(/\.[^.]+$/, '') || basename(path);
}

/** Where the CLI writes and what it reads from its environment. */
export interface CliIo {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Extra knobs of a run that are not part of the job itself. */
export interface RunSettings {
  readonly logLevel: LogLevel;
  readonly progress: boolean;
}

/** The outcome of a CLI sync: the report and the exit code it implies. */
export interface SyncJobResult {
  readonly report: SyncReport;
  readonly exitCode: number;
}

/**
 * Runs one sync job: loads the destination, starts its emulator when asked (data kept at
 * `<state-dir>/emulators/<id>.json`), opens the source and the state
 * (`<state-dir>/state.sqlite`), runs the sync with a progress bar, writes the report and
 * prints the summary.
 *
 * Exit codes: 0 nothing failed, 1 some records failed, 3 refused or stopped.
 *
 * @throws {@link UsageError} for usage and configuration problems (exit 2), and the kit's
 *   `ConfigError` / `InputError` for an unusable config or source.
 */
export async function runSyncJob(job: SyncJob, settings: RunSettings, io: CliIo): Promise<SyncJobResult> {
  const entry = findDestination(job.to);
  const destination = await entry.load();
  // Refuse an unsupported mode before anything starts (an emulator would save its data).
  resolveSyncMode(destination, job.mode);
  checkJobSource(job);

  let emulator: EmulatorServer | undefined;
  let emulatorConfig: Record<string, unknown> | undefined;
  const identityOverrides: Record<string, unknown> = {};
  if (job.emulator) {
    const plugin = await entry.loadEmulator();
    if (!plugin) throw new UsageError(`${destination.displayName} has no emulator.`, 'no_emulator');
    emulator = plugin.create({ persistPath: join(job.stateDir, 'emulators', `${entry.id}.json`) });
    if (job.emulatorSeed) {
      try {
        emulator.seed(JSON.parse(readFileSync(job.emulatorSeed, 'utf8')));
      } catch (error) {
        throw new UsageError(`Cannot seed the emulator from "${job.emulatorSeed}": ${(error as Error).message}`, 'invalid_seed');
      }
    }
    const url = await emulator.start();
    emulatorConfig = plugin.configFor(url);
    const identityKeys = new Set(configFields(destination.configSchema).filter((f) => f.meta.identity).map((f) => f.key));
    for (const key of Object.keys(emulatorConfig)) if (identityKeys.has(key)) identityOverrides[key] = `emulator:${entry.id}`;
  }

  let state: Awaited<ReturnType<typeof openJobState>>['state'] | undefined;
  const progress = progressReporter(io.stderr, settings.progress);
  try {
    const opened = await openJobState(job, io.env);
    state = opened.state;
    const config = destinationConfig(destination, job.options, io.env, emulatorConfig);
    const secrets = [...secretValues(destination.configSchema, config), ...opened.secrets, ...(await sourceSecrets(job))];
    const logger = cliLogger(settings.logLevel, secrets, io.stderr);
    const mapping = { idColumn: job.id, fields: job.map, groupSeparator: job.groupSeparator, ...(job.groups ? { groupsColumn: job.groups } : {}) };
    const source = await openJobSource(job, mapping);
    const syncName = defaultSyncName(job);
    const startedAt = new Date();
    const summary = await runSync({
      destination,
      config,
      mode: job.mode,
      source,
      state,
      sourceKey: job.id,
      syncName,
      identityOverrides,
      dryRun: job.dryRun,
      deletePolicy: job.deletePolicy,
      guard: { maxDeletes: job.allowDeletes, allowEmptySource: job.allowEmptySource },
      logger,
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    await recordCliRun(state, summary, { syncName, source: source.name, startedAt: startedAt.getTime(), keep: job.keepRuns }, logger);
    const report = buildReport(summary, source.name, startedAt);
    if (job.report) writeReport(job.report, report, secrets, destination.displayName);
    io.stdout.write(`${formatSummary(report, destination.displayName, job.report)}\n`);
    const exitCode =
      report.status !== 'completed' ? EXIT.refused : report.counts.failed > 0 ? EXIT.recordsFailed : EXIT.ok;
    return { report, exitCode };
  } finally {
    progress.stop();
    await state?.close();
    await emulator?.stop();
  }
}
