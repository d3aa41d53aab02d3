// @ts-check
/**
 * `npx nx g @syncmodes/tools:destination <name>`: scaffolds a destination package that
 * builds, type-checks and passes its own tests as generated (the kit's conformance suite
 * against a small working emulator of a fictional contacts API, to be replaced with the
 * vendor's). See docs/plugin-authors.md.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateFiles, joinPathFragments, logger, names, offsetFromRoot } from '@nx/devkit';

const SYNC_MODES = /** @type {const} */ (['sync', 'additive', 'enrich']);
const here = dirname(fileURLToPath(import.meta.url));

/**
 * @typedef {object} DestinationGeneratorSchema
 * @property {string} name
 * @property {string} [displayName]
 * @property {string} [directory]
 * @property {string} [packageName]
 * @property {string} [modes]
 * @property {'sync' | 'additive' | 'enrich'} [defaultMode]
 * @property {boolean} [skipInstall]
 */

/**
 * Checks and completes the options.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {DestinationGeneratorSchema} options
 */
export function normalizeOptions(tree, options) {
  const name = options.name.trim();
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`Destination id "${name}" must be lowercase letters, digits and - (e.g. hubspot).`);
  const modes = (options.modes ?? SYNC_MODES.join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  for (const m of modes) if (!SYNC_MODES.includes(/** @type {any} */ (m))) throw new Error(`Unknown sync mode "${m}": use ${SYNC_MODES.join(', ')}.`);
  if (modes.length === 0) throw new Error('A destination supports at least one sync mode.');
  const ordered = SYNC_MODES.filter((m) => modes.includes(m));
  const defaultMode = options.defaultMode ?? (ordered.includes('additive') ? 'additive' : ordered[0]);
  if (!defaultMode || !ordered.includes(defaultMode)) throw new Error(`The default mode "${defaultMode}" is not among the modes (${ordered.join(', ')}).`);
  const directory = options.directory ?? 'packages';
  const projectRoot = joinPathFragments(directory, name);
  if (tree.exists(projectRoot)) throw new Error(`${projectRoot} already exists.`);
  const n = names(name);
  return {
    name,
    projectRoot,
    packageName: options.packageName ?? `@syncmodes/${name}`,
    displayName: options.displayName ?? n.className.replace(/([a-z])([A-Z])/g, '$1 $2'),
    className: n.className,
    propertyName: n.propertyName,
    envVar: `${n.constantName}_API_KEY`,
    modes: ordered,
    defaultMode,
    skipInstall: options.skipInstall === true,
  };
}

/** @param {string} path */
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/**
 * @param {import('@nx/devkit').Tree} tree
 * @param {DestinationGeneratorSchema} schema
 */
export default async function destinationGenerator(tree, schema) {
  const o = normalizeOptions(tree, schema);
  const root = tree.root;
  const kit = readJson(join(root, 'packages', 'connector-kit', 'package.json'));
  const rootPkg = readJson(join(root, 'package.json'));
  generateFiles(tree, join(here, 'files'), o.projectRoot, {
    ...o,
    offset: offsetFromRoot(o.projectRoot),
    modesLiteral: `[${o.modes.map((m) => `'${m}'`).join(', ')}]`,
    unsupported: SYNC_MODES.filter((m) => !o.modes.includes(m)),
    kitVersion: kit.version,
    zodRange: kit.dependencies.zod,
    vitestVersion: rootPkg.devDependencies.vitest,
    template: '',
  });
  const installed = !o.skipInstall;
  return () => {
    if (installed) {
      logger.info('Linking the package and updating package-lock.json (npm install)…');
      execSync('npm install --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
      logger.info('Generating the README tables and config.schema.json (npm run docs)…');
      execSync('npm run docs', { cwd: root, stdio: 'inherit' });
    }
    logger.info(
      [
        '',
        `Created ${o.packageName} in ${o.projectRoot}. Next:`,
        `  npx nx run-many -p ${o.packageName} -t test typecheck lint build   # passes as generated`,
        ...(installed ? [] : ['  npm install && npm run docs   # link the package, fill the README tables']),
        '  then follow docs/plugin-authors.md: model the vendor API in the emulator, then the verbs.',
      ].join('\n'),
    );
  };
}
