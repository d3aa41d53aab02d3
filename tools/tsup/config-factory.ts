import { defineConfig, type Options } from 'tsup';

/**
 * Shared tsup settings for every published package: ESM + CJS + `.d.ts`, source maps,
 * Node 20 target. Each package passes only its entry points.
 *
 * @param entry - entry name → source path, e.g. `{ index: 'src/index.ts' }`.
 */
export function packageConfig(entry: Record<string, string>, overrides: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: false,
    ...overrides,
  });
}
