import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { configFields, type AnyDestination, type SyncMode } from '@syncmodes/connector-kit';
import type { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { nodeArgsFor } from '../../../test/prebuilt';
import type { VerifyStats } from '../stats';
import { requestLogReader } from './request-log';

const ENTRY = new URL('../cli-entry.ts', import.meta.url).pathname;

/** Options of the crash harnesses (records and audiences). */
export interface CrashOptions {
  /** Kills that must land while the CLI is talking to the destination. */
  readonly kills: number;
  /** Source rows. */
  readonly rows: number;
  /** Delay the emulator adds to each request, ms (so a run lasts long enough to be killed mid-way). */
  readonly latencyMs: number;
  readonly seed: number;
}

/** A source row as the crash harness writes it: `id`, the properties, `groups` (`;`-separated). */
export interface CrashRow {
  readonly id: string;
  readonly snapshot: { readonly properties: Readonly<Record<string, unknown>>; readonly groups: readonly string[] };
}

/** What one CLI run did. `requests`: emulator requests seen while it ran. */
export interface CliRun {
  readonly code: number | null;
  readonly killed: boolean;
  readonly requests: number;
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Writes rows as the CSV the CLI reads: header `id,<columns…>,groups`. */
export function writeSourceCsv(path: string, rows: readonly CrashRow[], columns: readonly string[]): void {
  const lines = [['id', ...columns, 'groups'].map(csvCell).join(',')];
  for (const r of rows) lines.push([r.id, ...columns.map((c) => r.snapshot.properties[c]), r.snapshot.groups.join(';')].map(csvCell).join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** How the harness runs the real CLI against a started emulator. */
export interface CliRunnerSetup {
  readonly destination: AnyDestination;
  /** The emulator's admin client and the destination config pointing at it (secrets go to env). */
  readonly target: { readonly admin: EmulatorClient; readonly config: unknown };
  readonly mode: SyncMode;
  readonly columns: readonly string[];
  /** Working folder: the state directory goes under it. */
  readonly dir: string;
  /** Exit codes a finished (not killed) run may end with; any other is a violation. */
  readonly okExitCodes: readonly number[];
  readonly where: string;
  readonly stats: VerifyStats;
}

/** How to run `syncmodes sync` in a child process: its arguments for a source file (plus `extra`), and its environment (secrets go there). */
export function cliInvocation(setup: Pick<CliRunnerSetup, 'destination' | 'target' | 'mode' | 'columns' | 'dir'>): { args(file: string, extra?: readonly string[]): string[]; env: Record<string, string> } {
  const { target: t } = setup;
  const env: Record<string, string> = { ...(process.env as Record<string, string>), NX_TUI: 'false' };
  const optionArgs: string[] = [];
  for (const f of configFields(setup.destination.configSchema)) {
    const value = (t.config as Record<string, unknown>)[f.key];
    if (value === undefined || typeof value === 'object') continue;
    if (f.meta.secret) env[f.meta.env ?? f.key] = String(value);
    else optionArgs.push('--option', `${f.key}=${String(value)}`);
  }
  return {
    env,
    args: (file, extra = []) => [
      ENTRY, 'sync', '--to', setup.destination.id, '--mode', setup.mode, '--from', file, '--sync-name', 'crash', '--id', 'id',
      ...setup.columns.flatMap((c) => ['--map', `${c}=${c}`]), '--groups', 'groups',
      '--state-dir', join(setup.dir, 'state'), '--no-progress', '--allow-deletes', '1000000', ...optionArgs, ...extra,
    ],
  };
}

/** Spawns the CLI (from sources: the test run's bundle of them, else under tsx) with these arguments, the entry first. */
export function spawnCli(args: readonly string[], env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  const [entry = ENTRY, ...rest] = args;
  return spawn(process.execPath, [...nodeArgsFor(entry), ...rest], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Returns `runCli(file, killAtRequest?)`: runs `syncmodes sync` on `file` in a child process
 * (options from the config, secrets through their environment variables); with
 * `killAtRequest`, SIGKILLs it once the emulator has seen that many of its requests.
 */
export function cliRunner(setup: CliRunnerSetup): (file: string, killAtRequest?: number) => Promise<CliRun> {
  const { target: t, stats, where } = setup;
  const { args, env } = cliInvocation(setup);
  return (file, killAtRequest) =>
    new Promise<CliRun>((resolve) => {
      void (async () => {
        const logged = await requestLogReader(t.admin);
        const child = spawnCli(args(file), env);
        child.stdout.resume(); // the summary is not read here; keep the pipe flowing
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += String(d)));
        let killed = false;
        let exited = false;
        child.on('exit', async (code) => {
          exited = true;
          if (!killed && !setup.okExitCodes.includes(code ?? -1)) stats.violations.push(`${where}: the CLI exited ${code}: ${stderr.slice(0, 400)}`);
          resolve({ code, killed, requests: (await logged()).length });
        });
        if (killAtRequest === undefined) return;
        while (!exited) {
          if ((await logged()).length >= killAtRequest) {
            killed = true;
            child.kill('SIGKILL');
            return;
          }
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
    });
}

/**
 * Kills the CLI at random points of a run (a full run made `span` requests; after a run that
 * finished before its kill point, the requests that run made), alternating between the two
 * source files so there is always work in flight, until `options.kills` kills landed
 * mid-sync (at most 4× as many attempts). Counts them in `stats`; returns the
 * index of the file the next run should use.
 */
export async function killRepeatedly(
  runCli: (file: string, killAtRequest?: number) => Promise<CliRun>,
  files: readonly string[],
  span: number,
  random: () => number,
  options: CrashOptions,
  where: string,
  stats: VerifyStats,
): Promise<number> {
  let landed = 0;
  let attempts = 0;
  let current = 1;
  let length = span;
  while (landed < options.kills && attempts < options.kills * 4) {
    attempts++;
    const run = await runCli(files[current] as string, 1 + Math.floor(random() * (length - 1)));
    if (run.killed) landed++;
    // A run that finished first made fewer requests than the kill point: the runs between
    // the two files change only the rows that differ (Intercom: ~305 requests against the
    // first run's 539), so later kill points are drawn within what such a run makes.
    else length = Math.max(2, run.requests);
    current = 1 - current;
  }
  if (landed < options.kills) stats.violations.push(`${where}: only ${landed} of ${options.kills} kills landed mid-sync`);
  stats.killsSurvived += landed;
  return current;
}
