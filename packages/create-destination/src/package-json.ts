import type { DestinationOptions } from './options';
import { VERSIONS } from './versions';

/** The repository of syncmodes, for packages generated inside it. */
export const SYNCMODES_REPOSITORY = 'https://github.com/syncmodes/syncmodes';

type Json = Record<string, unknown>;

/** The `exports` of a destination package: main entry and emulator, ESM + CommonJS + types. */
function exportsMap(monorepo: boolean): Json {
  const entry = (name: string, source: string): Json => ({
    ...(monorepo ? { '@syncmodes/source': source } : {}),
    import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
    require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
  });
  return {
    '.': entry('index', './src/index.ts'),
    './emulator': entry('emulator', './src/emulator/index.ts'),
    ...(monorepo ? { './config.schema.json': './config.schema.json' } : {}),
    './package.json': './package.json',
  };
}

/** Where a package generated in the syncmodes repository says it lives. */
function repositoryFields(projectRoot: string): Json {
  return {
    homepage: `${SYNCMODES_REPOSITORY}/tree/main/${projectRoot}#readme`,
    bugs: { url: `${SYNCMODES_REPOSITORY}/issues` },
    repository: { type: 'git', url: `git+${SYNCMODES_REPOSITORY}.git`, directory: projectRoot },
  };
}

/** Scripts and dev dependencies: the repository's shared tools, or a standalone package's own, pinned. */
function tooling(monorepo: boolean): { scripts: Json; devDependencies: Json } {
  const shared = { '@syncmodes/connector-kit': VERSIONS.kit, 'path-to-regexp': VERSIONS.pathToRegexp, vitest: VERSIONS.vitest, zod: VERSIONS.zod };
  const checkPackage = 'publint --strict && attw --pack . --profile node16';
  if (monorepo) {
    return {
      scripts: { build: 'tsup', test: `node -e "require('fs').rmSync('reports',{recursive:true,force:true})" && vitest run`, typecheck: 'tsc -p tsconfig.json', lint: 'eslint src test', 'check-package': checkPackage },
      devDependencies: shared,
    };
  }
  return {
    scripts: { build: 'tsup', test: 'vitest run', typecheck: 'tsc --noEmit', lint: 'eslint src test', 'check-package': checkPackage },
    devDependencies: Object.fromEntries(
      Object.entries({
        ...shared,
        '@arethetypeswrong/cli': VERSIONS.attw,
        '@eslint/js': VERSIONS.eslintJs,
        '@types/node': VERSIONS.typesNode,
        eslint: VERSIONS.eslint,
        publint: VERSIONS.publint,
        tsup: VERSIONS.tsup,
        typescript: VERSIONS.typescript,
        'typescript-eslint': VERSIONS.typescriptEslint,
      }).sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}

/**
 * The generated package's `package.json`. The kit and zod are peer dependencies (the
 * plugin uses the copy of the CLI it runs in) and dev dependencies (for its tests);
 * `path-to-regexp`, the emulator toolkit's router, is an optional peer (only `./emulator`
 * needs it). A package generated in the syncmodes repository (`projectRoot` given) also
 * names the repository and ships the LICENSE, as every package there does.
 */
export function packageJson(o: DestinationOptions, projectRoot?: string): Json {
  const monorepo = o.flavour === 'monorepo';
  const { scripts, devDependencies } = tooling(monorepo);
  return {
    name: o.packageName,
    version: '0.1.0',
    description: `${o.displayName} destination for syncmodes, with an emulator of its API for tests.`,
    license: 'MIT',
    keywords: ['syncmodes', 'syncmodes-destination', o.name],
    ...(monorepo && projectRoot !== undefined ? repositoryFields(projectRoot) : {}),
    type: 'module',
    sideEffects: false,
    engines: { node: '>=20.19' },
    main: './dist/index.cjs',
    module: './dist/index.js',
    types: './dist/index.d.ts',
    exports: exportsMap(monorepo),
    files: ['dist', 'src', '!src/**/*.test.ts', ...(monorepo ? ['config.schema.json', 'LICENSE'] : [])],
    scripts,
    peerDependencies: { '@syncmodes/connector-kit': VERSIONS.kit, 'path-to-regexp': VERSIONS.pathToRegexp, zod: VERSIONS.zod },
    peerDependenciesMeta: { 'path-to-regexp': { optional: true } },
    devDependencies,
  };
}
