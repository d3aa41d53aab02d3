import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ejs from 'ejs';
import { SYNC_MODES, type DestinationOptions } from './options';
import { packageJson } from './package-json';

/**
 * The templates (EJS), shared by `create-syncmodes-destination` and the syncmodes
 * repository's Nx generator: `common/` for both, then `standalone/` or `monorepo/`. In
 * file names, `__name__` becomes the destination id, a `__dot__` prefix a dot, and the
 * `.template` suffix is dropped.
 */
export const TEMPLATES_DIR = fileURLToPath(new URL('../templates/', import.meta.url));

/** A file of the generated package: its path inside the package (with `/`) and its content. */
export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** Where the package goes in the syncmodes repository (monorepo flavour only). */
export interface MonorepoPlacement {
  /** The package folder, relative to the repository root (`packages/acme`). */
  readonly projectRoot: string;
  /** The way back to the repository root from it (`../../`). */
  readonly offset: string;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

const outputPath = (file: string, id: string) =>
  file
    .replace(/__name__/g, id)
    .replace(/(^|\/)__dot__/g, '$1.')
    .replace(/\.template$/, '');

/**
 * Every file of a new destination package, rendered: definition, zod config, verbs, client,
 * emulator, conformance and emulator tests, README, configs and `package.json`.
 *
 * @param placement - required for the monorepo flavour (its configs extend the repository's).
 */
export function renderDestination(o: DestinationOptions, placement?: MonorepoPlacement): GeneratedFile[] {
  const monorepo = o.flavour === 'monorepo';
  if (monorepo && !placement) throw new Error('The monorepo flavour needs the package folder and its offset from the root.');
  const variables = {
    ...o,
    monorepo,
    allModes: SYNC_MODES,
    modesLiteral: `[${o.modes.map((m) => `'${m}'`).join(', ')}]`,
    offset: placement?.offset ?? '',
  };
  const files: GeneratedFile[] = [];
  for (const layer of ['common', o.flavour]) {
    const dir = join(TEMPLATES_DIR, layer);
    for (const file of filesUnder(dir)) {
      files.push({ path: outputPath(file, o.name), content: ejs.render(readFileSync(join(dir, file), 'utf8'), variables) });
    }
  }
  files.push({ path: 'package.json', content: `${JSON.stringify(packageJson(o, placement?.projectRoot), null, 2)}\n` });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
