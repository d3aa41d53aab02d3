import type { AnyDestination } from '@syncmodes/connector-kit';
import type { EmulatorPlugin } from '@syncmodes/connector-kit/emulator';
import { UsageError } from './exit-codes';
import { findPluginPackages, loadPluginDestination, loadPluginEmulator, type PluginPackage } from './plugins';

/** A destination the CLI can run: its package and how to load it and its emulator. */
export interface DestinationEntry {
  readonly id: string;
  readonly packageName: string;
  readonly builtIn: boolean;
  /** For a third-party destination: the installed package it comes from. */
  readonly plugin?: PluginPackage | undefined;
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

/** The built-in destinations (the CLI's own dependencies). */
export function builtInEntries(): readonly DestinationEntry[] {
  return BUILT_IN;
}

/**
 * Third-party destinations installed where the CLI runs: packages named
 * `syncmodes-destination-<id>` or `@<scope>/syncmodes-destination-<id>` resolvable from
 * `cwd` (see {@link findPluginPackages}). A plugin never replaces a built-in destination.
 */
export function pluginEntries(cwd: string): DestinationEntry[] {
  const builtIn = new Set(BUILT_IN.map((d) => d.id));
  const seen = new Set<string>();
  const out: DestinationEntry[] = [];
  for (const plugin of findPluginPackages(cwd)) {
    if (builtIn.has(plugin.id) || seen.has(plugin.id)) continue;
    seen.add(plugin.id);
    out.push({
      id: plugin.id,
      packageName: plugin.packageName,
      builtIn: false,
      plugin,
      load: () => loadPluginDestination(plugin, cwd),
      loadEmulator: () => loadPluginEmulator(plugin, cwd),
    });
  }
  return out;
}

/** Every destination the CLI knows: the built-in ones, then the plugins installed where it runs (`cwd`). */
export function destinationEntries(cwd: string = process.cwd()): readonly DestinationEntry[] {
  return [...BUILT_IN, ...pluginEntries(cwd)];
}

/**
 * Finds a destination by id, built-in or installed as a plugin.
 *
 * @throws {@link UsageError} `unknown_destination`, listing the known ones.
 */
export function findDestination(id: string, cwd: string = process.cwd()): DestinationEntry {
  const entries = destinationEntries(cwd);
  const entry = entries.find((d) => d.id === id.toLowerCase());
  if (!entry) {
    throw new UsageError(
      `Unknown destination "${id}". Known destinations: ${entries.map((d) => d.id).join(', ')} (see \`syncmodes destinations\`; third-party ones are packages named syncmodes-destination-<id>).`,
      'unknown_destination',
    );
  }
  return entry;
}
