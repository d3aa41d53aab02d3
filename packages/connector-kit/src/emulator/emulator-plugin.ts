import type { EmulatorServer } from './emulator-server';

/** Options of {@link EmulatorPlugin.create}. */
export interface EmulatorPluginOptions {
  /** JSON file the emulator loads at start and saves after every change (the CLI's `--emulator` uses `<state-dir>/emulators/<id>.json`). */
  readonly persistPath?: string | undefined;
}

/**
 * What a destination package exports from its `./emulator` entry as `emulatorPlugin`, so
 * the CLI can run its emulator in-process (`syncmodes sync --emulator`) or standalone
 * (`syncmodes emulator <id> --port <p> --seed seed.json`).
 */
export interface EmulatorPlugin {
  /** The destination id this emulates (e.g. `salesforce`). */
  readonly destination: string;
  /** One line describing the seed file's shape, for `--help` (details live in the package README). */
  readonly seedHelp: string;
  /** Creates the emulator (not started). */
  create(options?: EmulatorPluginOptions): EmulatorServer;
  /** Config values pointing the destination at a running emulator: its URL and the credentials it accepts. */
  configFor(baseUrl: string): Record<string, unknown>;
}
