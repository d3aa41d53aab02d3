import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nodeArgsFor } from '../../../tools/test/prebuilt';

const ENTRY = new URL('./fixtures/bin-from-source.ts', import.meta.url).pathname;
/** tsx's ESM loader by path, so a child started in any folder finds it. */
const TSX = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

/** A running `syncmodes` process and what it printed so far. */
export interface BinProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the exit code (or the signal that ended it) and when it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** How {@link startBin} starts the process. */
export interface BinOptions {
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** What its stdin holds, through a pipe (as `printf … | syncmodes …`; the child is then a shell running the two); default: none. */
  readonly stdin?: string;
  /** The largest file it may write, KiB (`ulimit -f`, in sh's 512-byte blocks): a write beyond fails with EFBIG, as on a full disk. */
  readonly fileSizeLimitKiB?: number;
  /** Run as the user `nobody` (uid and gid 65534) when the tests run as root, who is never refused by permission bits; as the test's user otherwise. */
  readonly unprivileged?: boolean;
}

/** Starts the `syncmodes` bin (from sources: the test run's bundle of them, else under tsx) as a child process. */
export function startBin(argv: readonly string[], options: BinOptions = {}): BinProcess {
  const node = [process.execPath, ...nodeArgsFor(ENTRY, TSX), ...argv];
  const shell = [
    ...(options.fileSizeLimitKiB === undefined ? [] : [`ulimit -f ${options.fileSizeLimitKiB * 2}`]),
    options.stdin === undefined ? 'exec "$@"' : 'printf "%s" "$SYNCMODES_TEST_STDIN" | "$@"',
  ];
  const [command, ...args] = shell.length === 1 && options.stdin === undefined ? node : ['/bin/sh', '-c', shell.join(' && '), 'sh', ...node];
  const child = spawn(command as string, args, {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', ...options.env, ...(options.stdin === undefined ? {} : { SYNCMODES_TEST_STDIN: options.stdin }) },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.unprivileged && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return { child, output, exited };
}

/** Waits until `predicate` holds (polling every 20 ms), or fails after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether process `pid` has `path` open (Linux: /proc/<pid>/fd). */
export function hasOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * Installs a third-party destination plugin, `syncmodes-destination-leaky`, into
 * `<project>/node_modules`: every write succeeds, and `connect` leaves a timer running
 * that is never cleared (as an SDK that keeps sockets or timers open would), so the process
 * would never end by itself. zod comes from this workspace.
 */
export function installLeakyPlugin(project: string): void {
  const dir = join(project, 'node_modules', 'syncmodes-destination-leaky');
  mkdirSync(dir, { recursive: true });
  const zod = pathToFileURL(new URL('../../../node_modules/zod/index.js', import.meta.url).pathname).href;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'syncmodes-destination-leaky', version: '0.0.1', type: 'module', exports: { '.': './index.js' } }));
  writeFileSync(
    join(dir, 'index.js'),
    `import { z } from ${JSON.stringify(zod)};
let next = 1;
export const destination = {
  kind: 'records', id: 'leaky', displayName: 'Leaky', syncModes: ['additive'], defaultSyncMode: 'additive',
  configSchema: z.object({}),
  limits: { writeBatchSize: 50, lookupBatchSize: 50, groupBatchSize: 50, concurrency: 1 },
  matchKeyLabel: () => 'email',
  matchKey: (s) => (typeof s.properties.email === 'string' ? s.properties.email.toLowerCase() : undefined),
  connect: async () => { setInterval(() => {}, 1000); return {}; },
  verbs: {
    find: async () => new Map(),
    create: async (_ctx, items) => items.map(() => ({ ok: true, id: String(next++) })),
    update: async (_ctx, items) => items.map(() => ({ ok: true })),
  },
};
`,
  );
}
