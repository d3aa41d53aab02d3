import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyDestination } from '@syncmodes/connector-kit';
import type { EmulatorPlugin } from '@syncmodes/connector-kit/emulator';
import { resolve as resolveImport } from 'import-meta-resolve';

/**
 * The package-name convention for third-party destinations: `syncmodes-destination-<id>`
 * or `@<scope>/syncmodes-destination-<id>`. The package's main entry exports `destination`
 * (a definition whose `id` is `<id>`); its optional `./emulator` entry exports
 * `emulatorPlugin`.
 */
export const PLUGIN_PREFIX = 'syncmodes-destination-';
const PLUGIN_NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?syncmodes-destination-([a-z][a-z0-9-]*)$/;

/** An installed plugin package, found by name (not loaded yet). */
export interface PluginPackage {
  readonly id: string;
  readonly packageName: string;
  /** Folder of the package. */
  readonly dir: string;
}

/** The destination id a plugin package name stands for, or `undefined` when the name does not follow the convention. */
export function pluginIdOf(packageName: string): string | undefined {
  return PLUGIN_NAME.exec(packageName)?.[1];
}

function namesIn(nodeModules: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('@')) {
      const scope = join(nodeModules, entry.name);
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      for (const inner of readdirSync(scope)) if (inner.startsWith(PLUGIN_PREFIX)) out.push(`${entry.name}/${inner}`);
    } else if (entry.name.startsWith(PLUGIN_PREFIX)) {
      out.push(entry.name);
    }
  }
  return out;
}

/**
 * The plugin packages resolvable from `cwd`, as Node resolves packages: `node_modules` of
 * `cwd` and of each folder above it; the nearest one of a name wins. Sorted by id.
 */
export function findPluginPackages(cwd: string): PluginPackage[] {
  const found = new Map<string, PluginPackage>();
  for (let dir = resolvePath(cwd); ; dir = dirname(dir)) {
    const nodeModules = join(dir, 'node_modules');
    if (existsSync(nodeModules)) {
      for (const packageName of namesIn(nodeModules)) {
        const id = pluginIdOf(packageName);
        const pkgDir = join(nodeModules, packageName);
        if (!id || found.has(packageName) || !existsSync(join(pkgDir, 'package.json'))) continue;
        found.set(packageName, { id, packageName, dir: pkgDir });
      }
    }
    if (dirname(dir) === dir) break;
  }
  return [...found.values()].sort((a, b) => a.id.localeCompare(b.id) || a.packageName.localeCompare(b.packageName));
}

function isDestination(value: unknown): value is AnyDestination {
  const d = value as Partial<AnyDestination> | undefined;
  return (
    typeof d === 'object' &&
    d !== null &&
    (d.kind === 'records' || d.kind === 'audience') &&
    typeof d.id === 'string' &&
    Array.isArray(d.syncModes) &&
    typeof d.configSchema === 'object' &&
    typeof d.verbs === 'object'
  );
}

/** The URL `specifier` resolves to from `cwd` (ESM resolution, `import` condition), or `undefined`. */
function resolveFrom(specifier: string, cwd: string): string | undefined {
  try {
    return resolveImport(specifier, pathToFileURL(join(resolvePath(cwd), 'package.json')).href);
  } catch {
    return undefined;
  }
}

/**
 * Loads a plugin's destination from its main entry, as the project at `cwd` resolves it.
 *
 * @throws Error when the package cannot be imported, exports no `destination`, or its id
 *   is not the one its name promises.
 */
export async function loadPluginDestination(plugin: PluginPackage, cwd: string): Promise<AnyDestination> {
  const url = resolveFrom(plugin.packageName, cwd);
  if (!url) throw new Error(`${plugin.packageName} cannot be imported from ${cwd} (no ESM entry?)`);
  const mod = (await import(url)) as { destination?: unknown; default?: { destination?: unknown } };
  const destination = mod.destination ?? mod.default?.destination;
  if (!isDestination(destination)) throw new Error(`${plugin.packageName} does not export a destination definition as \`destination\``);
  if (destination.id !== plugin.id) {
    throw new Error(`${plugin.packageName} exports destination "${destination.id}"; by its name it must be "${plugin.id}"`);
  }
  return destination;
}

/** Loads a plugin's emulator (`<package>/emulator` exporting `emulatorPlugin`), when it has one. */
export async function loadPluginEmulator(plugin: PluginPackage, cwd: string): Promise<EmulatorPlugin | undefined> {
  const url = resolveFrom(`${plugin.packageName}/emulator`, cwd);
  if (!url) return undefined;
  const mod = (await import(url)) as { emulatorPlugin?: EmulatorPlugin };
  return mod.emulatorPlugin;
}

/**
 * Where the plugin's `@syncmodes/connector-kit` comes from, when it is another copy than
 * `ownKitUrl` (a plugin should share the CLI's copy: install both in the same project).
 */
export function otherKitCopy(plugin: PluginPackage, ownKitUrl: string | undefined): string | undefined {
  if (!ownKitUrl) return undefined;
  const pluginKit = resolveFrom('@syncmodes/connector-kit', plugin.dir);
  if (!pluginKit) return undefined;
  const real = (url: string) => {
    try {
      return dirname(realpathSync(new URL(url)));
    } catch {
      return url;
    }
  };
  return real(pluginKit) === real(ownKitUrl) ? undefined : real(pluginKit);
}

/** Where `@syncmodes/connector-kit` resolves from the module at `moduleUrl` (the CLI's own copy), or `undefined`. */
export function kitUrlFrom(moduleUrl: string): string | undefined {
  try {
    return resolveImport('@syncmodes/connector-kit', moduleUrl);
  } catch {
    return undefined;
  }
}

/** The version of an installed package (from its package.json). */
export function packageVersion(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}
