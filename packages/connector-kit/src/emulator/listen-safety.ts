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

/**
 * The first byte of an IPv4 address written as the system's resolver reads it (`inet_aton`:
 * one to four parts, decimal, `0x` hex or `0` octal, the last part filling the remaining
 * bytes — `127.1` is 127.0.0.1, `2130706433` too); undefined when `h` is not such an address.
 * https://man7.org/linux/man-pages/man3/inet_aton.3.html
 */
function ipv4FirstByte(h: string): number | undefined {
  const parts = h.split('.');
  if (parts.length > 4 || parts.some((p) => !/^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$/.test(p))) return undefined;
  const values = parts.map((p) => (p.startsWith('0x') ? parseInt(p.slice(2), 16) : p.length > 1 && p.startsWith('0') ? parseInt(p, 8) : Number(p)));
  const lastBytes = 5 - parts.length;
  if (values.slice(0, -1).some((v) => v > 255) || (values.at(-1) as number) >= 2 ** (8 * lastBytes)) return undefined;
  return parts.length > 1 ? values[0] : Math.floor((values[0] as number) / 2 ** 24);
}

/** Whether `host` is a loopback address or name (`127.0.0.0/8` in any form the resolver reads, `::1`, `localhost`). */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (isIP(h) === 6) return h.startsWith('::ffff:') && ipv4FirstByte(h.slice('::ffff:'.length)) === 127;
  return ipv4FirstByte(h) === 127;
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
