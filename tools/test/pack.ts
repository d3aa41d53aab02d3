import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { freemem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKSPACE_ROOT, publishablePackages } from '../docs/workspace';
import { childEnv, ok, run } from './run';

/** Packs the package in `dir` with `npm pack` into `dest`; returns the tarball's path. */
export async function npmPack(dir: string, dest: string): Promise<string> {
  const result = ok(await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: dir }), `npm pack ${dir}`);
  const [info] = JSON.parse(result.stdout) as { filename: string }[];
  if (!info) throw new Error(`npm pack ${dir} printed no file`);
  return join(dest, info.filename);
}

/**
 * Packs every published workspace package (they must be built) with one `npm pack` of their
 * folders (the same tarballs as `npm pack` in each folder, one npm process instead of one
 * each); package name → tarball.
 */
export async function packWorkspace(dest: string): Promise<Map<string, string>> {
  const packages = publishablePackages();
  const result = ok(await run('npm', ['pack', '--json', '--pack-destination', dest, ...packages.map((p) => p.dir)], { cwd: dest }), 'npm pack (every published package)');
  const packed = JSON.parse(result.stdout) as { name: string; filename: string }[];
  const out = new Map(packed.map((p) => [p.name, join(dest, p.filename)]));
  const missing = packages.filter((p) => !out.has(p.name)).map((p) => p.name);
  if (missing.length > 0) throw new Error(`npm pack printed no file for ${missing.join(', ')}`);
  return out;
}

/** Linux's memory filesystem. */
const MEMORY_FS = '/dev/shm';

/** Free space a memory filesystem must have to hold the throwaway projects (an install of every package is about 250 MB), bytes. */
const MEMORY_FS_MIN_FREE = 2 * 1024 ** 3;

/**
 * Where the throwaway projects go: Linux's memory filesystem (`/dev/shm`) where the machine
 * has one with room, else the system's temporary folder. An install writes about 29,000
 * files; on this machine's ext4 disk the kernel's part of that is most of the install's CPU
 * time (an install of every package: 23 CPU-s under /tmp, 11 under /dev/shm). What is
 * installed and run is the same on either.
 */
function scratchRoot(): string {
  try {
    const fs = statfsSync(MEMORY_FS);
    accessSync(MEMORY_FS, constants.W_OK);
    // A tmpfs reports its size limit, not the memory there is (fresh reviewer 80, F5): both must have room.
    if (Math.min(fs.bavail * fs.bsize, freemem()) >= MEMORY_FS_MIN_FREE) {
      sweepStale(MEMORY_FS);
      return MEMORY_FS;
    }
  } catch {
    // No memory filesystem here (macOS, Windows, a container without one).
  }
  return tmpdir();
}

/** How old a folder of ours must be to be a killed run's (a test's hooks and tests are bounded at 3 minutes), ms. */
const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Removes the throwaway folders a killed test run left in `root` (in memory until the machine
 * restarts: 150 MB for an interrupted install, fresh reviewer 80's F3): ours (`syncmodes-`)
 * and unchanged for an hour.
 */
function sweepStale(root: string): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith('syncmodes-')) continue;
    const path = join(root, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > STALE_AFTER_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // Gone already, or another user's.
    }
  }
}

/** A new empty folder outside the workspace (so nothing resolves from the workspace's node_modules), on a memory filesystem where there is one. */
export function outsideDir(prefix: string): string {
  return realpathSync(mkdtempSync(join(scratchRoot(), prefix)));
}

/**
 * Creates a project in `dir` depending on `dependencies` (name → tarball) and installs it
 * with npm, as a user would: every other dependency comes from the npm registry (through
 * npm's cache). better-sqlite3 is the one exception: it is a native addon this machine
 * must compile from source (its prebuilt binaries are downloaded from outside the
 * registry), so the project links the workspace's already compiled copy through npm
 * `overrides` instead of compiling it again for minutes, and installs with
 * `--ignore-scripts` (its install script is the only one in the tree, and must not rebuild
 * the linked copy).
 */
export async function installProject(dir: string, dependencies: Record<string, string>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const deps = Object.fromEntries(Object.entries(dependencies).map(([name, tarball]) => [name, `file:${tarball}`]));
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify(
      {
        name: 'consumer',
        version: '1.0.0',
        private: true,
        dependencies: deps,
        overrides: { 'better-sqlite3': `file:${join(WORKSPACE_ROOT, 'node_modules', 'better-sqlite3')}` },
      },
      null,
      2,
    )}\n`,
  );
  ok(
    await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env: childEnv({ npm_config_update_notifier: 'false' }), timeoutMs: 170_000 }),
    `npm install in ${dir}`,
  );
}
