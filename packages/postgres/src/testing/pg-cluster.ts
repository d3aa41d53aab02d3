import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findPostgresBinaries } from './pg-binaries';

/** A throwaway Postgres server (see {@link startPostgresCluster}). */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: the superuser, trusted on loopback. */
  readonly url: string;
  readonly port: number;
  /** The temp folder holding the data directory, the socket and the server log. */
  readonly dir: string;
  /** Creates a new, empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (immediate shutdown) and deletes its folder. Safe to call twice. */
  stop(): void;
  /**
   * Restarts the server as `pg_ctl restart -m fast` does (every session ended, new ones refused
   * until it is up again); with `downMs`, stops it and starts it again that long after (an
   * outage). Resolves once it accepts connections.
   */
  restart(options?: { readonly downMs?: number }): Promise<void>;
}

/** Options of {@link startPostgresCluster}. */
export interface PostgresClusterOptions {
  /** Most client connections (default 300: several pg-boss workers each keep a pool). */
  readonly maxConnections?: number;
}

/** The uid/gid of the `postgres` account (initdb and the server refuse to run as root). */
function postgresAccount(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('Running as root, and there is no "postgres" account to run the Postgres server as (initdb refuses root): install Debian\'s postgresql package, which creates it.');
  }
}

/** A port nobody listens on right now, on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The command running a Postgres binary, as the `postgres` account when this process is root. */
function commandOf(bin: string, args: readonly string[], asPostgres: boolean): [string, string[]] {
  return asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, [...args]];
}

/** Runs a Postgres binary, as the `postgres` account when this process is root. */
function runBinary(bin: string, args: readonly string[], asPostgres: boolean): void {
  const [file, argv] = commandOf(bin, args, asPostgres);
  execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

/** Where a throwaway server runs and how it was started (see {@link startPostgresCluster}). */
interface ServerPlace {
  readonly bin: string;
  readonly data: string;
  readonly log: string;
  /** The `-o` settings it was started with (a stopped server is started with them again). */
  readonly settings: string;
  readonly asPostgres: boolean;
}

/** `pg_ctl restart -m fast`; with `downMs`, a fast stop, that long down, then a start (an outage). See `PostgresCluster.restart`. */
async function restartServer(at: ServerPlace, downMs?: number): Promise<void> {
  const ctl = (...args: string[]) => {
    const [file, argv] = commandOf(join(at.bin, 'pg_ctl'), ['-D', at.data, '-l', at.log, '-w', '-t', '60', ...args], at.asPostgres);
    return promisify(execFile)(file, argv, { timeout: 120_000 }).catch((error: unknown) => {
      throw failure('restart', error, at.log);
    });
  };
  if (downMs === undefined) {
    await ctl('-m', 'fast', 'restart');
    return;
  }
  await ctl('-m', 'fast', 'stop');
  await new Promise((r) => setTimeout(r, downMs));
  await ctl('-o', at.settings, 'start');
}

function failure(what: string, error: unknown, log?: string): Error {
  const e = error as { stderr?: Buffer; message?: string };
  const detail = [e.stderr?.toString().trim(), log && existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-15).join('\n') : undefined].filter(Boolean).join('\n');
  return new Error(`Could not ${what} a throwaway Postgres server: ${detail || e.message || String(error)}`);
}

/**
 * Starts a throwaway Postgres cluster for tests: `initdb` in a temp folder (`-A trust
 * --no-sync`), then a server with `fsync=off` listening on 127.0.0.1 only, on a free port,
 * with its Unix socket in the same folder. Uses the system's server binaries (see
 * {@link findPostgresBinaries}); when this process is root they run as the `postgres`
 * account (`runuser`), which owns the folder. The server is stopped when the process exits,
 * if {@link PostgresCluster.stop} was not called before.
 *
 * Takes about 3–4 s (initdb ~2.5 s, start ~1 s on 2 cores).
 *
 * @throws Error with the server's own message when the binaries are missing or the server
 *   cannot start (never a silent skip: tests that need Postgres fail).
 */
export async function startPostgresCluster(options: PostgresClusterOptions = {}): Promise<PostgresCluster> {
  const bin = findPostgresBinaries();
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'syncmodes-pg-'));
  if (asPostgres) {
    const { uid, gid } = postgresAccount();
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  try {
    runBinary(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'], asPostgres);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw failure('initialise', error);
  }
  let port = 0;
  let settings = '';
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    settings = [
      `-c listen_addresses=127.0.0.1`,
      `-c port=${port}`,
      `-c unix_socket_directories='${dir}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      `-c max_connections=${options.maxConnections ?? 300}`,
    ].join(' ');
    try {
      runBinary(join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', '-o', settings, 'start'], asPostgres);
      break;
    } catch (error) {
      // Another process may have taken the port between the check and the start.
      if (attempt < 3 && existsSync(log) && /could not bind|address already in use/i.test(readFileSync(log, 'utf8'))) continue;
      rmSync(dir, { recursive: true, force: true });
      throw failure('start', error, log);
    }
  }
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    try {
      runBinary(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asPostgres);
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    stop,
    restart: (options = {}) => restartServer({ bin, data, log, settings, asPostgres }, options.downMs),
    async createDatabase(name: string): Promise<string> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
  };
}
