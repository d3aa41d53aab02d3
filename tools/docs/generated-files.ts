import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnyDestination, JsonSchema } from '@syncmodes/connector-kit';
import { cliReadmeSections, type CliModule } from './cli-readme';
import { kitReadmeSections } from './kit-readme';
import { destinationSchemaFile, jsonFile, readmeSections, updateReadme } from './render';
import { WORKSPACE_ROOT, destinationPackages, type PackageJson } from './workspace';

/** A file the docs tooling generates, with the content it should have. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

const SCHEMA_FILE = 'config.schema.json';
const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** A package.json that exports and publishes `file` (unchanged when it already does). */
function withPublishedFile(json: PackageJson, file: string): PackageJson {
  const exports = { ...(json.exports ?? {}) };
  const key = `./${file}`;
  const files = json.files ?? [];
  if (exports[key] === `./${file}` && files.includes(file)) return json;
  // Keep `./package.json` last, as the other packages do.
  const { ['./package.json']: pkgJson, ...rest } = exports;
  const next: Record<string, unknown> = { ...rest, [key]: `./${file}` };
  if (pkgJson !== undefined) next['./package.json'] = pkgJson;
  return { ...json, exports: next, files: files.includes(file) ? files : [...files, file] };
}

/**
 * Every generated file and the content it must have: for each destination package under
 * `packages/`, its README's mode and options tables and its `config.schema.json` (exported
 * and published by its package.json); the kit README's `runSync` options, shapes and code
 * tables (from the TSDoc and `KIT_CODES`); the CLI README's flags (from commander),
 * secrets' environment variables and flag hints; the CLI's `sync-job.schema.json`.
 */
export async function generatedFiles(root = WORKSPACE_ROOT): Promise<GeneratedFile[]> {
  const out: GeneratedFile[] = [];
  for (const pkg of await destinationPackages(root)) {
    const readmePath = join(pkg.dir, 'README.md');
    out.push({ path: readmePath, content: updateReadme(read(readmePath) || `# ${pkg.name}\n`, readmeSections(pkg.destination)) });
    out.push({ path: join(pkg.dir, SCHEMA_FILE), content: jsonFile(destinationSchemaFile(pkg.destination, pkg.name)) });
    out.push({ path: join(pkg.dir, 'package.json'), content: jsonFile(withPublishedFile(pkg.json, SCHEMA_FILE)) });
  }
  const kitDir = join(root, 'packages', 'connector-kit');
  if (existsSync(join(kitDir, 'README.md'))) {
    const readmePath = join(kitDir, 'README.md');
    out.push({ path: readmePath, content: updateReadme(read(readmePath), kitReadmeSections(kitDir)) });
  }
  const cliDir = join(root, 'packages', 'cli');
  if (existsSync(join(cliDir, 'src', 'index.ts'))) {
    const cli = (await import(pathToFileURL(join(cliDir, 'src', 'index.ts')).href)) as CliModule & {
      syncJobJsonSchema(destinations: readonly AnyDestination[]): JsonSchema;
    };
    const readmePath = join(cliDir, 'README.md');
    if (existsSync(readmePath)) out.push({ path: readmePath, content: updateReadme(read(readmePath), await cliReadmeSections(cli)) });
    const destinations = await Promise.all(cli.builtInEntries().map((e) => e.load()));
    out.push({ path: join(cliDir, 'sync-job.schema.json'), content: jsonFile(cli.syncJobJsonSchema(destinations)) });
    const json = JSON.parse(read(join(cliDir, 'package.json'))) as PackageJson;
    out.push({ path: join(cliDir, 'package.json'), content: jsonFile(withPublishedFile(json, 'sync-job.schema.json')) });
  }
  return out;
}

/** The generated files whose content on disk differs from what it should be. */
export async function driftedFiles(root = WORKSPACE_ROOT): Promise<GeneratedFile[]> {
  return (await generatedFiles(root)).filter((f) => read(f.path) !== f.content);
}
