import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';

/** Options of `EmulatorServer.start` about where it may listen. */
export interface ListenOptions {
  /**
   * Allow an address other than loopback (e.g. `0.0.0.0`). An emulator accepts fixed test
   * credentials and serves its data to anyone who reaches it, so this must be asked for
   * explicitly (CLI: `--unsafe-listen`). Default false.
   */
  readonly unsafeListen?: boolean | undefined;
  /**
   * Token the admin endpoints (`/__emulator/*`) require when not on loopback (header
   * `x-emulator-admin-token`). Default: a random one, readable as `EmulatorServer.adminToken`.
   */
  readonly adminToken?: string | undefined;
}

/** Whether `host` is a loopback address or name (`127.0.0.0/8`, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (h.startsWith('::ffff:')) return h.slice('::ffff:'.length).startsWith('127.');
  return false;
}

/**
 * Checks where an emulator is about to listen; returns the admin token to require, or
 * `undefined` on loopback (only local processes reach it there).
 *
 * @throws Error when `host` is not loopback and `unsafeListen` was not given.
 */
export function listenGuard(name: string, host: string, options: ListenOptions = {}): string | undefined {
  if (isLoopback(host)) return undefined;
  if (!options.unsafeListen) {
    throw new Error(
      `The ${name} emulator would listen on ${host}, reachable from other machines, with fixed test credentials and no protection of its data. ` +
        'Listen on 127.0.0.1, or pass unsafeListen: true to accept that.',
    );
  }
  return options.adminToken ?? randomBytes(18).toString('base64url');
}

/** The header carrying the admin token. */
export const ADMIN_TOKEN_HEADER = 'x-emulator-admin-token';
