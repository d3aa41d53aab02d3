import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project root (two levels above this file): the child runs there, so `--import tsx` finds the workspace's tsx. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** How a fixture process ended and what it printed. */
export interface FixtureExit {
  /** Its exit code (`null` when a signal ended it). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The JSON value on the last line of its stdout (where the fixtures print their summary); throws when there is none. */
  lastLine<T>(): T;
}

/**
 * Runs a TypeScript fixture (a sync run against an emulator, e.g. one whose route hangs) in
 * a Node process of its own, from the workspace's sources (tsx, the `@syncmodes/source`
 * condition), with `SYNCMODES_TEST_URL` set to the emulator's URL; resolves when the process
 * exits by itself (a bound on it is the test's timeout: a socket left open keeps it alive).
 */
export function runFixture(fixture: string, url: string): Promise<FixtureExit> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@syncmodes/source', fixture], {
    cwd: ROOT,
    env: { ...process.env, SYNCMODES_TEST_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += String(c)));
  child.stderr.on('data', (c) => (stderr += String(c)));
  return new Promise((resolve) =>
    child.on('exit', (code) => resolve({ code, stdout, stderr, lastLine: <T>() => JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as T })),
  );
}
