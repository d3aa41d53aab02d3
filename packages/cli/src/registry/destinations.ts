import type { AnyDestination } from '@syncmodes/connector-kit';
import type { EmulatorPlugin } from '@syncmodes/connector-kit/emulator';
import { UsageError } from './exit-codes';

/** A destination the CLI can run: its package and how to load it and its emulator. */
export interface DestinationEntry {
  readonly id: string;
  readonly packageName: string;
  readonly builtIn: boolean;
  load(): Promise<AnyDestination>;
  loadEmulator(): Promise<EmulatorPlugin | undefined>;
}

/**
 * Built-in destinations. Each package's main entry exports `destination`; its `./emulator`
 * entry exports `emulatorPlugin`.
 */
const BUILT_IN: readonly DestinationEntry[] = [
  {
    id: 'salesforce',
    packageName: '@syncmodes/salesforce',
    builtIn: true,
    load: async () => (await import('@syncmodes/salesforce')).destination,
    loadEmulator: async () => (await import('@syncmodes/salesforce/emulator')).emulatorPlugin,
  },
  {
    id: 'intercom',
    packageName: '@syncmodes/intercom',
    builtIn: true,
    load: async () => (await import('@syncmodes/intercom')).destination,
    loadEmulator: async () => (await import('@syncmodes/intercom/emulator')).emulatorPlugin,
  },
  {
    id: 'onesignal',
    packageName: '@syncmodes/onesignal',
    builtIn: true,
    load: async () => (await import('@syncmodes/onesignal')).destination,
    loadEmulator: async () => (await import('@syncmodes/onesignal/emulator')).emulatorPlugin,
  },
  {
    id: 'facebook',
    packageName: '@syncmodes/facebook',
    builtIn: true,
    load: async () => (await import('@syncmodes/facebook')).destination,
    loadEmulator: async () => (await import('@syncmodes/facebook/emulator')).emulatorPlugin,
  },
];

/** Every destination the CLI knows. */
export function destinationEntries(): readonly DestinationEntry[] {
  return BUILT_IN;
}

/**
 * Finds a destination by id.
 *
 * @throws {@link UsageError} `unknown_destination`, listing the known ones.
 */
export function findDestination(id: string): DestinationEntry {
  const entry = destinationEntries().find((d) => d.id === id.toLowerCase());
  if (!entry) {
    throw new UsageError(
      `Unknown destination "${id}". Known destinations: ${destinationEntries().map((d) => d.id).join(', ')} (see \`syncmodes destinations\`).`,
      'unknown_destination',
    );
  }
  return entry;
}
