import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyDestination } from '@syncmodes/connector-kit';

/** The workspace root (two levels above this file). */
export const WORKSPACE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A package of the workspace (`packages/*`). */
export interface WorkspacePackage {
  readonly dir: string;
  readonly name: string;
  readonly private: boolean;
  readonly json: PackageJson;
}

/** The parts of package.json the tooling reads. */
export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, unknown>;
  files?: string[];
  [key: string]: unknown;
}

/** Every package under `packages/`, sorted by folder name. */
export function workspacePackages(root = WORKSPACE_ROOT): WorkspacePackage[] {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = join(base, name);
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
      return { dir, name: json.name, private: json.private === true, json };
    });
}

/** Packages that are published to npm (not private). */
export function publishablePackages(root = WORKSPACE_ROOT): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => !p.private);
}

/** A destination package: its main entry exports `destination`. */
export interface DestinationPackage extends WorkspacePackage {
  readonly destination: AnyDestination;
}

function isDestination(value: unknown): value is AnyDestination {
  const d = value as Partial<AnyDestination> | undefined;
  return typeof d === 'object' && d !== null && typeof d.id === 'string' && Array.isArray(d.syncModes) && d.configSchema !== undefined;
}

/**
 * The destination packages of the workspace, loaded from their sources (`src/index.ts`
 * exporting `destination`): every destination package under `packages/`, whatever its name.
 */
export async function destinationPackages(root = WORKSPACE_ROOT): Promise<DestinationPackage[]> {
  const out: DestinationPackage[] = [];
  for (const pkg of publishablePackages(root)) {
    const entry = join(pkg.dir, 'src', 'index.ts');
    if (!existsSync(entry)) continue;
    const mod = (await import(pathToFileURL(entry).href)) as { destination?: unknown };
    if (isDestination(mod.destination)) out.push({ ...pkg, destination: mod.destination });
  }
  return out;
}
