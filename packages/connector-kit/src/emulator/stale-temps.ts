import { basename, dirname } from 'node:path';
import { removeLeftByDeadProcesses } from '../process-alive';

/**
 * Removes the `<path>.<pid>.tmp` files that processes killed while saving `path` left
 * behind (an emulator saves by writing such a file and renaming it over `path`). A file of a
 * process still running — this one included — is kept: it may be saving now.
 */
export function removeStaleTemps(path: string): void {
  const prefix = `${basename(path)}.`;
  removeLeftByDeadProcesses(dirname(path), (name) => {
    const pid = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1] : undefined;
    return pid === undefined ? undefined : Number(pid);
  });
}
