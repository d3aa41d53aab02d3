import { reportOfRun, type RunRecord, type StateStore } from '@syncmodes/connector-kit';
import { Command, InvalidArgumentError } from 'commander';
import { formatRuns } from '../output/runs-table';
import { formatSummary } from '../output/summary';
import { escapeControl as safe } from '../output/safe-text';
import { jsonText, writeReport } from '../output/write-report';
import { findDestination } from '../registry/destinations';
import { UsageError } from '../registry/exit-codes';
import { openJobState, stateUrlOf } from '../run/job-state';
import { openState } from '../run/open-state';
import type { CliIo } from '../run/run-sync-job';

interface StateFlags {
  state?: string;
  stateDir: string;
}

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expects a whole number ≥ 1.');
  return n;
};

/** Most runs a prefix is looked for among (the history keeps 100 per sync). */
const PREFIX_SEARCH = 10_000;

/**
 * A run by its id, or by a unique prefix of it (as `state` takes a sync's), newest runs first
 * (fresh new-user check 120: the first 8 characters of an id were "not in the run history").
 *
 * @throws `UsageError` `run_not_found` (no run has it), `ambiguous_run` (several: naming them).
 */
async function findRun(state: StateStore, ref: string): Promise<RunRecord> {
  const exact = await state.getRun(ref);
  if (exact) return exact;
  const matches = ref.length >= 4 ? (await state.listRuns({ limit: PREFIX_SEARCH })).filter((r) => r.runId.startsWith(ref)) : [];
  if (matches.length > 1) throw new UsageError(`"${ref}" starts ${matches.length} run ids: ${matches.slice(0, 5).map((r) => `${r.runId} (${r.syncName})`).join(', ')}${matches.length > 5 ? ', …' : ''}. Give more of the id.`, 'ambiguous_run');
  const found = matches[0] ? await state.getRun(matches[0].runId) : undefined;
  if (!found) throw new UsageError(`No run "${ref}" in the run history: give its id or a unique prefix of at least 4 characters, as \`syncmodes runs\` lists them (a run older than the runs kept is gone).`, 'run_not_found');
  return found;
}

/**
 * Runs `fn` on the state (Postgres, else the SQLite file in `--state-dir`, never created here:
 * no file means no runs; one that cannot be written is read from a copy), or returns `none`
 * when there is no state yet.
 */
async function withState<T>(flags: StateFlags, io: CliIo, none: T, fn: (state: StateStore) => Promise<T>): Promise<T> {
  const state = stateUrlOf(flags, io.env) === undefined ? openState(flags.stateDir, { create: false, readOnly: true }) : (await openJobState(flags, io.env)).state;
  if (state === undefined) return none;
  try {
    return await fn(state);
  } finally {
    await state.close();
  }
}

async function displayName(destination: string): Promise<string> {
  try {
    return (await findDestination(destination).load()).displayName;
  } catch {
    return destination;
  }
}

function stateOptions(command: Command): Command {
  return command
    .option('--state <url>', 'Postgres state (postgres://…; default: $SYNCMODES_DATABASE_URL, else SQLite in --state-dir)')
    .option('--state-dir <dir>', 'SQLite state folder', '.syncmodes');
}

/**
 * `syncmodes runs`: the run history kept with the state — one line per run (newest first),
 * or `runs show <run-id>`: a run's counts, calls and failed / skipped records by code, and
 * its report (`--report r.json|r.html`, the same writers as `sync --report`).
 */
export function runsCommand(io: CliIo, onExit: (code: number) => void, jsonOutput: () => void = () => undefined): Command {
  const list = stateOptions(new Command('runs'))
    .description('The run history: one line per run, newest first (runs made by `sync` and by workers).')
    .option('--sync <name>', "only this sync's runs")
    .option('--limit <n>', 'most runs to show', positive, 20)
    .option('--json', 'one JSON array instead of a table')
    .action(async (flags: StateFlags & { sync?: string; limit: number; json?: boolean }) => {
      if (flags.json) jsonOutput();
      const runs = await withState(flags, io, [], (state) => state.listRuns({ syncName: flags.sync, limit: flags.limit }));
      io.stdout.write(flags.json ? jsonText(runs, 2) : `${formatRuns(runs)}\n`);
      onExit(0);
    });
  list.addCommand(
    stateOptions(new Command('show'))
      .description("One run: its counts, API calls, and failed and skipped records by code; --report writes its report.")
      .argument('<run-id>', 'the run, or a unique prefix of its id (see `syncmodes runs`)')
      .option('--report <file>', 'write its report: r.html (a page) or r.json (failed and skipped records only; the others are counted)')
      .action(async (runId: string, _flags: unknown, command: Command) => {
        // --state / --state-dir may be given before or after `show`: the parent command takes them first.
        const flags = command.optsWithGlobals<StateFlags & { report?: string }>();
        const run = await withState(flags, io, undefined, (state) => findRun(state, runId));
        if (!run) throw new UsageError(`No run "${runId}": there is no run history here yet (see \`syncmodes runs\`).`, 'run_not_found');
        const report = reportOfRun(run);
        const name = await displayName(run.destination);
        if (flags.report) await writeReport(flags.report, report, [], name);
        io.stdout.write(`Run ${safe(run.runId)} of sync ${safe(run.syncName)}${run.worker ? ` on ${safe(run.worker)}` : ''} · ${new Date(run.startedAt).toISOString()}\n`);
        io.stdout.write(`${formatSummary(report, name, flags.report)}\n`);
        onExit(0);
      }),
  );
  return list;
}
