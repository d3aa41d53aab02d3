import { type Options } from 'tsup';
/**
 * The runtime `dependencies` of the package in `dir` that ship only ESM. Such a package
 * (p-queue, p-retry, import-meta-resolve, …) must be bundled, so the CommonJS entry works
 * under `require()` on every supported Node version (esbuild's interop cannot get their
 * default export through Node 20's `require(esm)`); being bundled, it belongs in
 * `devDependencies` (tsup bundles those, and installs then skip it). This list should be
 * empty: the packaging test (tools/test/packages.test.ts) fails when it is not, and the
 * build still bundles what it lists so the CommonJS entry keeps working meanwhile.
 */
export declare function esmOnlyDependencies(dir?: string): string[];
/**
 * Shared tsup settings for every published package: ESM + CJS + `.d.ts`, source maps,
 * Node 20 target. tsup bundles the JavaScript; the declarations (`.d.ts` and `.d.cts`) are
 * written after it by {@link buildDeclarations} (tsgo + rolldown-plugin-dts: seconds per
 * package, where tsup's own `dts` took 60–100 s on two cores). `dependencies` and
 * `peerDependencies` stay external; what the sources import from `devDependencies` (the
 * ESM-only p-queue, p-retry, import-meta-resolve) is bundled, as is any ESM-only runtime dependency (see {@link esmOnlyDependencies}). Each
 * package passes only its entry points.
 *
 * @param entry - entry name → source path, e.g. `{ index: 'src/index.ts' }`.
 */
export declare function packageConfig(entry: Record<string, string>, overrides?: Partial<Options>): Options[] | Options | ((overrideOptions: Options) => Options[] | Options | Promise<Options[] | Options>);
