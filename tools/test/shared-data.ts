import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (two levels above this file). */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The folders that may hold the shared sample data, in the order they are tried:
 * `$SYNCMODES_SHARED_DATA` when set, else `shared/data` beside the project root or beside
 * any folder above it (a git worktree of the project may sit deeper than its main clone).
 */
export function sharedDataFolders(): string[] {
  const fromEnv = process.env.SYNCMODES_SHARED_DATA;
  if (fromEnv) return [fromEnv];
  const out: string[] = [];
  for (let dir = dirname(ROOT.replace(/\/$/, '')); ; dir = dirname(dir)) {
    out.push(join(dir, 'shared', 'data'));
    if (dirname(dir) === dir) return out;
  }
}

/**
 * The absolute path of a shared sample data file (`customers-10000.csv`, `people-1000.csv`).
 * The data is always there in CI and on developer machines; a test that needs it never
 * skips: when it is missing this throws, naming the file, where it was looked for and how
 * to point the tests at it, so the test (or its file) fails with that message.
 */
export function sharedDataFile(name: string): string {
  const folders = sharedDataFolders();
  for (const folder of folders) {
    const path = join(folder, name);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `The shared sample data file ${name} is missing: looked in ${folders.join(', ')}. ` +
      'The tests need the project\'s shared/ folder beside the project root (as in CI), or SYNCMODES_SHARED_DATA set to its data folder.',
  );
}
