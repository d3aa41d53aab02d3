import { configFields } from '@syncmodes/connector-kit';
import { isLoopback } from '@syncmodes/connector-kit/emulator';
import { Command, InvalidArgumentError } from 'commander';
import { findDestination } from '../registry/destinations';
import { UsageError } from '../registry/exit-codes';
import { readSeedFile } from '../run/seed-file';
import { createWithData } from '../run/start-emulator';
import type { CliIo } from '../run/run-sync-job';

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new InvalidArgumentError('expects a port number (0–65535).');
  return n;
};

/**
 * `syncmodes emulator <destination>`: runs a destination's emulator standalone on loopback
 * until interrupted (Ctrl-C). `waitForStop` lets tests stop it.
 */
export function emulatorCommand(io: CliIo, waitForStop: () => Promise<void>): Command {
  return new Command('emulator')
    .description("Run a destination's API emulator on 127.0.0.1 (for trying syncmodes without a real account).")
    .argument('<destination>', 'destination id, e.g. salesforce')
    .option('--port <port>', 'port to listen on (0 = any free port)', port, 4010)
    .option('--host <host>', 'address to listen on (anything but loopback also needs --unsafe-listen)', '127.0.0.1')
    .option('--unsafe-listen', 'allow listening off loopback: anyone who reaches it can use its fixed test credentials (admin endpoints then need the printed token)')
    .option('--seed <file>', 'JSON seed file with existing records (shape: see the destination package README)')
    .option('--data <file>', 'keep the data in this JSON file (loaded at start, saved on every change)')
    .action(async (id: string, flags: { port: number; host: string; seed?: string; data?: string; unsafeListen?: boolean }) => {
      const entry = findDestination(id);
      const plugin = await entry.loadEmulator();
      if (!plugin) throw new UsageError(`${id} has no emulator.`, 'no_emulator');
      const emulator = flags.data
        ? createWithData(() => plugin.create({ persistPath: flags.data }), flags.data, (await entry.load()).displayName, 'Move it away (or delete it), or give --data another file, to start the emulator empty')
        : plugin.create({});
      if (flags.seed) {
        const seed = readSeedFile(flags.seed, ` Seed shape: ${plugin.seedHelp}`);
        try {
          emulator.seed(seed);
        } catch (error) {
          throw new UsageError(`Cannot seed from "${flags.seed}": ${(error as Error).message}. Seed shape: ${plugin.seedHelp}`, 'invalid_seed');
        }
      }
      if (!isLoopback(flags.host) && !flags.unsafeListen) {
        throw new UsageError(`--host ${flags.host} is not a loopback address (127.0.0.0/8, ::1, localhost): other machines may reach it, and the emulator's test credentials and data would be open to them. Listen on 127.0.0.1, or add --unsafe-listen to accept that.`, 'unsafe_listen');
      }
      const url = await emulator.start(flags.port, flags.host, { unsafeListen: flags.unsafeListen === true }).catch((error: unknown) => {
        throw listenError(error, flags.host, flags.port);
      });
      if (emulator.adminToken !== undefined) {
        io.stderr.write(
          `WARNING: the emulator listens on ${flags.host}, reachable from other machines, with fixed test credentials. ` +
            `Admin endpoints need the header x-emulator-admin-token: ${emulator.adminToken}\n`,
        );
      }
      const destination = await entry.load();
      const fields = new Map(configFields(destination.configSchema).map((f) => [f.key, f]));
      const config = Object.entries(plugin.configFor(url));
      const env = config.filter(([k]) => fields.get(k)?.meta.secret).map(([k, v]) => `${fields.get(k)?.meta.env ?? k}=${String(v)}`);
      const options = config.filter(([k]) => !fields.get(k)?.meta.secret).map(([k, v]) => `--option ${k}=${String(v)}`);
      io.stdout.write(
        `${destination.displayName} emulator listening on ${url}\n` +
          `Point syncmodes at it with: ${[...env, 'syncmodes sync --to', entry.id, ...options].join(' ')} …\n` +
          `(the emulator's credentials are fixed test values, not secrets)\n` +
          `Admin: GET ${url}/__emulator/records · GET ${url}/__emulator/requests · Ctrl-C to stop\n`,
      );
      await waitForStop();
      await emulator.stop();
    });
}

/**
 * What stopped the emulator from listening, as a usage error saying what to change (never a
 * stack trace; fourteenth trial of #17): the port taken, a host name that does not resolve,
 * an address this machine does not have, a port that needs privileges. Anything else as it is.
 */
function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new UsageError(`Cannot listen on ${host} port ${port}: another program is using that port. Choose another --port (0 takes any free port).`, 'listen_failed');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`Cannot listen on "${host}": no address has that name. Give an address such as 127.0.0.1 or ::1 (or localhost).`, 'listen_failed');
    case 'EADDRNOTAVAIL':
      return new UsageError(`Cannot listen on ${host}: this machine has no such address. Give one of its own addresses, such as 127.0.0.1.`, 'listen_failed');
    case 'EACCES':
      return new UsageError(`Cannot listen on ${host} port ${port}: permission denied (ports below 1024 need privileges). Choose a port of 1024 or above.`, 'listen_failed');
    default:
      return error;
  }
}
