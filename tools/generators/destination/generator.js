// @ts-check
/**
 * `npx nx g @syncmodes/tools:destination <name>`: scaffolds a destination package of this
 * repository that builds, type-checks and passes its own tests as generated (the kit's
 * conformance suite against a small working emulator of a fictional contacts API, to be
 * replaced with the vendor's). See docs/plugin-authors.md.
 *
 * The files come from `create-syncmodes-destination` (packages/create-destination), which
 * writes the same package outside this repository; here it renders its templates in the
 * monorepo flavour (the shared tsconfig and tsup config, the `@syncmodes/source` condition).
 */
import { execSync } from 'node:child_process';
import { joinPathFragments, logger, offsetFromRoot } from '@nx/devkit';
import { tsImport } from 'tsx/esm/api';

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
 * The create package, from its TypeScript sources (no build needed).
 *
 * @returns {Promise<typeof import('../../../packages/create-destination/src/index')>}
 */
function createPackage() {
  return tsImport('../../../packages/create-destination/src/index.ts', import.meta.url);
}

/**
 * Checks and completes the options.
 *
 * @param {import('@nx/devkit').Tree} tree
 * @param {DestinationGeneratorSchema} options
 */
export async function normalizeOptions(tree, options) {
  const { resolveOptions } = await createPackage();
  const resolved = resolveOptions(options, 'monorepo');
  const projectRoot = joinPathFragments(options.directory ?? 'packages', resolved.name);
  if (tree.exists(projectRoot)) throw new Error(`${projectRoot} already exists.`);
  return { ...resolved, projectRoot, skipInstall: options.skipInstall === true };
}

/**
 * @param {import('@nx/devkit').Tree} tree
 * @param {DestinationGeneratorSchema} schema
 */
export default async function destinationGenerator(tree, schema) {
  const o = await normalizeOptions(tree, schema);
  const { renderDestination } = await createPackage();
  for (const file of renderDestination(o, { projectRoot: o.projectRoot, offset: offsetFromRoot(o.projectRoot) })) {
    tree.write(joinPathFragments(o.projectRoot, file.path), file.content);
  }
  // Every package of the repository ships its LICENSE.
  const license = tree.read('LICENSE');
  if (license) tree.write(joinPathFragments(o.projectRoot, 'LICENSE'), license);
  const root = tree.root;
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
