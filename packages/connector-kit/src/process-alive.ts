import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** Whether a process with this pid runs on this machine (another user's answers EPERM: it runs). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` (files or folders) that processes no longer running left
 * behind: `pidOf` reads the pid from an entry's name, or gives undefined for an entry that is
 * not such a leftover. An entry of a running process (this one included) is kept; one that
 * cannot be removed (another user's, gone already) is left alone, as is a folder that
 * cannot be read.
 */
export function removeLeftByDeadProcesses(dir: string, pidOf: (name: string) => number | undefined): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = pidOf(name);
    if (pid === undefined || processAlive(pid)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Another user's, or gone already: it does no harm.
    }
  }
}
