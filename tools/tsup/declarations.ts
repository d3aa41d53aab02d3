import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { rolldown } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';

/**
 * Which compiler emits the declarations before they are bundled: `tsgo` (TypeScript's
 * native port, `@typescript/native-preview`, with `--noCheck`; seconds per package on two
 * cores) or `tsc` (TypeScript 5.9 through its API; several times slower). Set
 * `SYNCMODES_DTS_COMPILER=tsc` to build with `tsc` if `tsgo` ever emits something wrong.
 */
export type DeclarationCompiler = 'tsgo' | 'tsc';

/** The compiler `SYNCMODES_DTS_COMPILER` asks for; `tsgo` when unset. */
export function declarationCompiler(env: NodeJS.ProcessEnv = process.env): DeclarationCompiler {
  const asked = env.SYNCMODES_DTS_COMPILER ?? 'tsgo';
  if (asked !== 'tsgo' && asked !== 'tsc') throw new Error(`SYNCMODES_DTS_COMPILER must be "tsgo" or "tsc", not "${asked}"`);
  return asked;
}

/** A relative module specifier ending in `.js` in an `import … from`, `export … from`, `import "…"` or `import(…)`. */
const RELATIVE_JS = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']+)\.js\2/g;

/**
 * The CommonJS twin of a bundled `.d.ts`: the same declarations, with the relative
 * specifiers of its sibling chunks pointing at their `.d.cts` twins (`./x.js` → `./x.cjs`),
 * so a `require` consumer's types never cross into the ESM declarations.
 */
export function toCommonJsDeclarations(code: string): string {
  return code.replace(RELATIVE_JS, (_m, lead: string, quote: string, path: string) => `${lead}${quote}${path}.cjs${quote}`);
}

/** The tsconfig the declarations are emitted with, written into the package folder for the build (git-ignored). */
export const DECLARATIONS_TSCONFIG = '.tsconfig.declarations.json';

/**
 * The compiler settings for the declarations: the package's `tsconfig.json`, narrowed to
 * `src` without its tests (not the test helpers, nor `tsup.config.ts`), and without the
 * `@syncmodes/source` condition, so another `@syncmodes/*` package is read from its built
 * declarations (Nx builds dependencies first) instead of being emitted again from its
 * sources. It has to sit in the package folder: the emit's root is the tsconfig's folder.
 */
export function declarationsTsconfig(): Record<string, unknown> {
  return {
    extends: './tsconfig.json',
    compilerOptions: { customConditions: [], noEmit: false, declarationMap: false },
    include: ['src'],
    exclude: ['src/**/*.test.ts'],
  };
}

/**
 * Writes the bundled type declarations of a package's entries into `dist`: `<name>.d.ts`
 * for the ESM entry and `<name>.d.cts` for the CommonJS one (with shared chunks, as tsup's
 * `dts` wrote them), so `exports` (types first) and "are the types wrong" are unchanged.
 * The declarations are emitted by `tsgo` (or `tsc`, see {@link declarationCompiler}) over
 * the package's `tsconfig.json`, then bundled by rolldown-plugin-dts; every bare specifier
 * (dependencies, `node:` modules, the other `@syncmodes/*` packages) stays an import.
 *
 * @param entry - entry name → source path relative to `dir`, e.g. `{ index: 'src/index.ts' }`.
 * @param dir - the package folder (default: the working directory, as tsup runs).
 * @throws Error when the compiler or the bundler fails (the build then fails).
 */
export async function buildDeclarations(entry: Record<string, string>, dir: string = process.cwd()): Promise<void> {
  const compiler = declarationCompiler();
  const input = Object.fromEntries(Object.entries(entry).map(([name, path]) => [name, resolve(dir, path)]));
  const tsconfig = join(dir, DECLARATIONS_TSCONFIG);
  writeFileSync(tsconfig, `${JSON.stringify(declarationsTsconfig(), null, 2)}\n`);
  try {
    await bundleDeclarations(input, dir, tsconfig, compiler);
  } finally {
    rmSync(tsconfig, { force: true });
  }
}

/** Emits (with `compiler`, over `tsconfig`) and bundles the declarations of `input` into `dir/dist`. */
async function bundleDeclarations(input: Record<string, string>, dir: string, tsconfig: string, compiler: DeclarationCompiler): Promise<void> {
  const bundle = await rolldown({
    input,
    cwd: dir,
    platform: 'node',
    external: (id) => !id.startsWith('.') && !isAbsolute(id) && !id.startsWith('\0'),
    checks: { pluginTimings: false },
    plugins: [
      dts({
        cwd: dir,
        tsconfig,
        emitDtsOnly: true,
        tsgo: compiler === 'tsgo',
      }),
    ],
  });
  try {
    const outDir = join(dir, 'dist');
    const { output } = await bundle.write({ dir: outDir, format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
    for (const chunk of output) {
      if (!chunk.fileName.endsWith('.d.ts')) continue;
      const file = join(outDir, chunk.fileName);
      writeFileSync(file.replace(/\.d\.ts$/, '.d.cts'), toCommonJsDeclarations(readFileSync(file, 'utf8')));
    }
  } finally {
    await bundle.close();
  }
}
