import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const BUILTINS = new Set(builtinModules);

/** The package a bare module specifier names (`@scope/name/sub` → `@scope/name`, `name/sub` → `name`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/**
 * The packages the built files of a package load at run time: every bare specifier of a
 * static `import … from` / `export … from`, a side-effect `import "…"`, a `require("…")`,
 * an `import("…")` or a `createRequire(…)("…")` in `dist/*.js` and `dist/*.cjs`, without Node's built-in modules.
 * What the build bundled is not among them.
 */
export function distImports(packageDir: string): Set<string> {
  const dist = join(packageDir, 'dist');
  const out = new Set<string>();
  const patterns = [/(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*"([^"]+)"/g, /(?:^|\n)\s*import\s*"([^"]+)"/g, /\brequire\("([^"]+)"\)/g, /\bimport\("([^"]+)"\)/g, /\bcreateRequire\)?\([^()]*\)\("([^"]+)"\)/g];
  for (const file of readdirSync(dist).filter((f) => /\.(c?js)$/.test(f))) {
    const code = readFileSync(join(dist, file), 'utf8');
    for (const pattern of patterns) {
      for (const m of code.matchAll(pattern)) {
        const specifier = m[1] as string;
        if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.includes('${')) continue;
        const name = packageOf(specifier);
        if (!BUILTINS.has(name)) out.add(name);
      }
    }
  }
  return out;
}
