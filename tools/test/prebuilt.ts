// TypeScript entries that tests start as processes of their own (the CLI, a worker), built
// once per test run instead of transpiled by tsx in every process.
//
// Under tsx a child spends about 2 s of CPU resolving and transpiling the workspace's
// sources before its first line runs; the CLI tests and the verify harness start hundreds
// of them, on 2 shared cores. A package's vitest global setup calls `prebuildEntries` with
// the entries its tests start: esbuild bundles each from the same sources (the
// `@syncmodes/source` condition, as tsx resolves them; dynamic imports stay lazy, as their
// own chunks; packages from node_modules stay imports, of the files Node resolves from the
// importing source) into a `.prebuilt/<pid>/` folder beside the entry, so that what the
// child resolves at run time from its own location (plugins, `--version`) is what it
// resolves from the entry's. The
// map from entry to bundle goes to the test processes (and their children) in the
// environment; `nodeArgsFor` starts the bundle when there is one, else the entry under tsx
// (a test file run on its own, a script outside vitest).
import { mkdirSync, rmdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve as resolveImport } from 'import-meta-resolve';

/** The environment variable that holds the map (JSON) from an entry's path to its bundle's. */
const PREBUILT_ENV = 'SYNCMODES_TEST_PREBUILT';

/**
 * Bundles `entries` (absolute paths of `.ts` files) and puts the map from each to its bundle
 * in this process's environment (test workers and the processes they start inherit it).
 * Returns the global setup's teardown: it removes the bundles.
 */
export async function prebuildEntries(entries: readonly string[]): Promise<() => void> {
  const { build } = await import('esbuild');
  const map: Record<string, string> = {};
  const folders = new Set<string>();
  // One build per folder: the bundle sits beside its entry.
  const byFolder = new Map<string, string[]>();
  for (const entry of entries) byFolder.set(dirname(entry), [...(byFolder.get(dirname(entry)) ?? []), entry]);
  for (const [folder, inFolder] of byFolder) {
    const outdir = join(folder, '.prebuilt', String(process.pid));
    rmSync(outdir, { recursive: true, force: true });
    mkdirSync(outdir, { recursive: true });
    folders.add(outdir);
    await build({
      entryPoints: Object.fromEntries(inFolder.map((entry) => [basename(entry, '.ts'), entry])),
      outdir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      conditions: ['@syncmodes/source'],
      logLevel: 'warning',
      plugins: [
        {
          name: 'workspace-only',
          setup(b) {
            // The workspace's own packages are bundled from their sources; everything else stays
            // an import of the file Node resolves from the importing source (a package may have
            // its own copy in its node_modules, e.g. the CLI's commander).
            b.onResolve({ filter: /^[^./]/ }, (args) => {
              if (args.path.startsWith('@syncmodes/')) return undefined;
              const url = resolveImport(args.path, pathToFileURL(args.importer).href);
              return { path: url.startsWith('file:') ? fileURLToPath(url) : args.path, external: true };
            });
          },
        },
      ],
    });
    for (const entry of inFolder) map[entry] = join(outdir, `${basename(entry, '.ts')}.mjs`);
  }
  process.env[PREBUILT_ENV] = JSON.stringify({ ...prebuiltMap(), ...map });
  return () => {
    for (const folder of folders) {
      rmSync(folder, { recursive: true, force: true });
      try {
        rmdirSync(dirname(folder)); // `.prebuilt` itself, unless another run's bundles are in it
      } catch {
        // not empty
      }
    }
  };
}

function prebuiltMap(): Record<string, string> {
  const raw = process.env[PREBUILT_ENV];
  return raw ? (JSON.parse(raw) as Record<string, string>) : {};
}

/**
 * The Node arguments that run `entry` (an absolute path of a `.ts` file) from the
 * workspace's sources: its bundle when this test run built one, else the entry under tsx
 * (`tsx`: how `--import` names it, default resolved from the child's working folder).
 */
export function nodeArgsFor(entry: string, tsx = 'tsx'): string[] {
  const bundle = prebuiltMap()[entry];
  return ['--conditions=@syncmodes/source', ...(bundle ? [bundle] : ['--import', tsx, entry])];
}
