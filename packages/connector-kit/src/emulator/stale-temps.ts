import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { processAlive as alive } from '../process-alive';


/**
 * Removes the `<path>.<pid>.tmp` files that processes killed while saving `path` left
 * behind (an emulator saves by writing such a file and renaming it over `path`). A file of a
 * process still running — this one included — is kept: it may be saving now.
 */
export function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = name.startsWith(prefix) ? /^(\d+)\.tmp$/.exec(name.slice(prefix.length))?.[1] : undefined;
    if (pid === undefined || alive(Number(pid))) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // Gone already, or not ours to remove: it does no harm.
    }
  }
}
