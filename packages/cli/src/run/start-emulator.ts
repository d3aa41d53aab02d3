import { join } from 'node:path';
import { configFields, SyncError, type AnyDestination } from '@syncmodes/connector-kit';
import type { DestinationEntry } from '../registry/destinations';
import { UsageError } from '../registry/exit-codes';
import { readSeedFile } from './seed-file';
import type { Cleanup } from './cleanup';
import { lockEmulatorData } from './emulator-lock';

/** A running emulator's config for the destination, and the identity values that keep its syncs' state across starts. */
export interface StartedEmulator {
  readonly config: Record<string, unknown>;
  readonly identityOverrides: Record<string, unknown>;
}

/** Where {@link startEmulator} keeps a destination's emulator data, and what it says while another run holds it. */
export interface EmulatorOptions {
  readonly stateDir: string;
  readonly seed?: string | undefined;
  /** Ends a wait for another run's emulator (Ctrl-C): nothing was sent. */
  readonly signal?: AbortSignal | undefined;
  /** Told, once, that another run holds the emulator's data and this one waits for it. */
  readonly onWait?: ((message: string) => void) | undefined;
}

/**
 * Creates an emulator that loads its data from `path` (`--emulator`'s data under the state
 * directory, or `syncmodes emulator --data`): a file that is not the emulator's data
 * (truncated, edited, not JSON) is a usage error naming it, never an internal error. The
 * file is left as it is: `fix` says what to do with it.
 *
 * @throws {@link UsageError} `invalid_emulator_data`.
 */
export function createWithData<E>(create: () => E, path: string, displayName: string, fix: string): E {
  try {
    return create();
  } catch (error) {
    const why = error instanceof SyntaxError ? `it is not valid JSON (${error.message}); truncated or edited?` : error instanceof Error ? error.message : String(error);
    throw new UsageError(`Cannot load the ${displayName} emulator's data from "${path}": ${why}. ${fix}.`, 'invalid_emulator_data');
  }
}

/**
 * Starts the destination's emulator on loopback for `--emulator`, its data kept in
 * `<stateDir>/emulators/<id>.json`: one emulated destination per state folder, shared by
 * every sync that uses it, as a real account would be. One process at a time holds that
 * data (the lock `<stateDir>/emulators/<id>.lock`, held until the emulator is stopped and
 * its data saved): a second run on the same state folder waits for the first to end, then
 * loads what it saved, so neither saves over the other's records. The stop and the release
 * are registered with `cleanup` before it starts, so whatever fails afterwards (state,
 * config, the run) the emulator is stopped, its data saved, the lock released and the
 * process can end.
 *
 * @throws {@link UsageError} `no_emulator`, `invalid_emulator_data`, `invalid_seed`; {@link SyncError} `interrupted`
 *   when `signal` aborts while waiting for another run.
 */
export async function startEmulator(entry: DestinationEntry, destination: AnyDestination, options: EmulatorOptions, cleanup: Cleanup): Promise<StartedEmulator> {
  const plugin = await entry.loadEmulator();
  if (!plugin) throw new UsageError(`${destination.displayName} has no emulator.`, 'no_emulator');
  const data = join(options.stateDir, 'emulators', `${entry.id}.json`);
  const release = await lockEmulatorData(join(options.stateDir, 'emulators', `${entry.id}.lock`), {
    signal: options.signal,
    onWait: () =>
      options.onWait?.(
        `Waiting for the ${destination.displayName} emulator: another syncmodes run holds its data ("${data}", this --state-dir); this run starts when that one ends (Ctrl-C stops waiting).`,
      ),
  }).catch((error: unknown) => {
    if (options.signal?.aborted) throw new SyncError('interrupted', `Interrupted while waiting for another run to release the ${destination.displayName} emulator's data: nothing was sent.`, { retryable: true });
    throw error;
  });
  cleanup.defer(release);
  const emulator = createWithData(() => plugin.create({ persistPath: data }), data, destination.displayName, 'Nothing was sent. Move it away (or delete it) to start the emulator empty on the next run');
  if (options.seed) {
    const seed = readSeedFile(options.seed);
    try {
      emulator.seed(seed);
    } catch (error) {
      throw new UsageError(`Cannot seed the emulator from "${options.seed}": ${(error as Error).message}`, 'invalid_seed');
    }
  }
  cleanup.defer(() => emulator.stop());
  const url = await emulator.start();
  const config = plugin.configFor(url);
  const identityKeys = new Set(configFields(destination.configSchema).filter((f) => f.meta.identity).map((f) => f.key));
  const identityOverrides: Record<string, unknown> = {};
  for (const key of Object.keys(config)) if (identityKeys.has(key)) identityOverrides[key] = `emulator:${entry.id}`;
  return { config, identityOverrides };
}
