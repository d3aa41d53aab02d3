import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFields, type AnyDestination } from '@syncmodes/connector-kit';
import type { DestinationEntry } from '../registry/destinations';
import { UsageError } from '../registry/exit-codes';
import type { Cleanup } from './cleanup';

/** A running emulator's config for the destination, and the identity values that keep its syncs' state across starts. */
export interface StartedEmulator {
  readonly config: Record<string, unknown>;
  readonly identityOverrides: Record<string, unknown>;
}

/**
 * Starts the destination's emulator on loopback for `--emulator`, its data kept in
 * `<stateDir>/emulators/<id>.json`. Its stop is registered with `cleanup` before it
 * starts, so whatever fails afterwards (state, config, the run) the emulator is stopped
 * and the process can end.
 *
 * @throws {@link UsageError} `no_emulator`, `invalid_seed`.
 */
export async function startEmulator(
  entry: DestinationEntry,
  destination: AnyDestination,
  options: { readonly stateDir: string; readonly seed?: string | undefined },
  cleanup: Cleanup,
): Promise<StartedEmulator> {
  const plugin = await entry.loadEmulator();
  if (!plugin) throw new UsageError(`${destination.displayName} has no emulator.`, 'no_emulator');
  const emulator = plugin.create({ persistPath: join(options.stateDir, 'emulators', `${entry.id}.json`) });
  if (options.seed) {
    try {
      emulator.seed(JSON.parse(readFileSync(options.seed, 'utf8')));
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
