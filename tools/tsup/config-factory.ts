import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { defineConfig, type Options } from 'tsup';
import { buildDeclarations } from './declarations';

interface Manifest {
  type?: string;
  main?: string;
  exports?: unknown;
  dependencies?: Record<string, string>;
}

const readManifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;

/** Whether a package has no CommonJS entry (ESM only: `require()` of it fails or, on Node 20, yields a namespace without a usable default). */
function isEsmOnly(manifest: Manifest): boolean {
  if (manifest.type !== 'module') return false;
  if (manifest.main?.endsWith('.cjs')) return false;
  return !JSON.stringify(manifest.exports ?? {}).includes('"require"');
}

/**
 * The runtime `dependencies` of the package in `dir` that ship only ESM. Such a package
 * (p-queue, p-retry, import-meta-resolve, …) must be bundled, so the CommonJS entry works
 * under `require()` on every supported Node version (esbuild's interop cannot get their
 * default export through Node 20's `require(esm)`); being bundled, it belongs in
 * `devDependencies` (tsup bundles those, and installs then skip it). This list should be
 * empty: the packaging test (tools/test/packages.test.ts) fails when it is not, and the
 * build still bundles what it lists so the CommonJS entry keeps working meanwhile.
 */
export function esmOnlyDependencies(dir = process.cwd()): string[] {
  const pkg = readManifest(join(dir, 'package.json'));
  const req = createRequire(join(dir, 'package.json'));
  return Object.keys(pkg.dependencies ?? {}).filter((name) => {
    if (name.startsWith('@syncmodes/')) return false;
    let manifestPath: string | undefined;
    for (const base of req.resolve.paths(name) ?? []) {
      const candidate = join(base, name, 'package.json');
      if (existsSync(candidate)) {
        manifestPath = candidate;
        break;
      }
    }
    return manifestPath !== undefined && isEsmOnly(readManifest(manifestPath));
  });
}

/**
 * Shared tsup settings for every published package: ESM + CJS + `.d.ts`, source maps,
 * Node 20 target. tsup bundles the JavaScript; the declarations (`.d.ts` and `.d.cts`) are
 * written after it by {@link buildDeclarations} (tsgo + rolldown-plugin-dts: a few seconds
 * per package, about a quarter of what tsup's own `dts` took). `dependencies` and
 * `peerDependencies` stay external; what the sources import from `devDependencies` (the
 * ESM-only p-queue, p-retry, import-meta-resolve) is bundled, as is any ESM-only runtime
 * dependency (see {@link esmOnlyDependencies}). Each package passes only its entry points.
 *
 * @param entry - entry name → source path, e.g. `{ index: 'src/index.ts' }`.
 */
export function packageConfig(entry: Record<string, string>, overrides: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: false,
    onSuccess: () => buildDeclarations(entry),
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    // `import.meta.url` in the CJS twin (the file's URL, as in ESM): what `createRequire` loads lazily from.
    shims: true,
    splitting: false,
    treeshake: false,
    noExternal: esmOnlyDependencies(),
    ...overrides,
  });
}
