import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../registry/exit-codes';
import { STATE_FILE } from '../run/open-state';
import { REPORT_UNWRITABLE } from './report-path';

/** A path as the file system resolves it (links followed, as far as it exists). */
function real(path: string): string {
  const absolute = resolve(path);
  let dir = absolute;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    return join(realpathSync(dir), absolute.slice(dir.length));
  } catch {
    return absolute;
  }
}

/** Whether two existing paths are one file (a hard link too). */
function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** What the run reads or keeps that a report must never replace. */
export interface RunFiles {
  /** The source file (absent for stdin or a database). */
  readonly source?: string | undefined;
  readonly emulatorSeed?: string | undefined;
  /** The `--config` file the run's settings came from. */
  readonly config?: string | undefined;
  readonly stateDir: string;
}

/**
 * Refuses a `--report` path that is a file the run reads or keeps: its source, its emulator
 * seed, its config file, its state file (with SQLite's `-wal`, `-shm` and `-journal`), or the emulators' data
 * in the state folder. Writing the report there replaced the source, or lost what every sync
 * of the state owns, with exit 0 (trial 20b N13).
 *
 * @throws {@link UsageError} `report_unwritable` (exit 2), naming what the path is; nothing was sent.
 */
export function checkReportTarget(report: string, files: RunFiles): void {
  const target = real(report);
  const state = real(join(files.stateDir, STATE_FILE));
  const named: [string, string | undefined][] = [
    ['the source', files.source],
    ['the emulator seed', files.emulatorSeed],
    ['the config file', files.config],
    ...['', '-wal', '-shm', '-journal'].map((suffix): [string, string] => ['the state file', `${state}${suffix}`]),
  ];
  for (const [what, path] of named) {
    if (path === undefined || (real(path) !== target && !sameFile(path, target))) continue;
    throw new UsageError(`Cannot write the report to "${report}": it is ${what} of this run, which the report would replace. Nothing was sent. Give --report another file.`, REPORT_UNWRITABLE);
  }
  if (target.startsWith(real(join(files.stateDir, 'emulators')) + sep)) {
    throw new UsageError(`Cannot write the report to "${report}": it is in the emulators' data folder of the state. Nothing was sent. Give --report another file.`, REPORT_UNWRITABLE);
  }
}
