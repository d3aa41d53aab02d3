import { readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveImport } from 'import-meta-resolve';
import cliPackage from '../../package.json' with { type: 'json' };
import { destinationEntries } from './destinations';
import { packageVersion } from './plugins';

/** The version of an installed package as resolved from `base` (a file URL), or `undefined`. */
function installedVersion(packageName: string, base: string): string | undefined {
  try {
    const url = resolveImport(`${packageName}/package.json`, base);
    return (JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * `syncmodes --version`: the CLI's version, then every destination package installed —
 * the built-in ones as the CLI resolves them (from `cliModuleUrl` when given, else from
 * `cwd`) and the plugins found in `cwd` — one `name version` per line.
 */
export function versionLines(cwd: string, cliModuleUrl?: string): string[] {
  const base = cliModuleUrl ?? pathToFileURL(join(resolvePath(cwd), 'package.json')).href;
  const lines = [`${cliPackage.name} ${cliPackage.version}`];
  for (const entry of destinationEntries(cwd)) {
    const version = entry.plugin ? packageVersion(entry.plugin.dir) : installedVersion(entry.packageName, base);
    lines.push(`${entry.packageName} ${version ?? '(version unknown)'}${entry.plugin ? ' (plugin)' : ''}`);
  }
  return lines;
}
