import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSIONS } from '../../packages/create-destination/src/versions';
import { WORKSPACE_ROOT } from '../docs/workspace';
import { installProject, npmPack, outsideDir } from './pack';
import { childEnv, ok, run } from './run';

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** Every file under `dir` (no node_modules), relative. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !`${e.parentPath}/`.includes('/node_modules/'))
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

// `npm create syncmodes-destination acme`, as a plugin author outside this repository runs
// it: the create package and the kit packed to tarballs, the package written into an empty
// folder outside the repository, installed with the kit's tarball (until @syncmodes/* is on
// the registry), then its own tests and type check run there.
describe('create-syncmodes-destination, outside the repository', () => {
  let work: string;
  let pkgDir: string;

  beforeAll(async () => {
    work = outsideDir('syncmodes-create-');
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    const [create, kit] = [await npmPack(join(WORKSPACE_ROOT, 'packages', 'create-destination'), tarballs), await npmPack(join(WORKSPACE_ROOT, 'packages', 'connector-kit'), tarballs)];
    // The create package, installed from its tarball as npx would, run from an empty folder.
    await installProject(join(work, 'tool'), { 'create-syncmodes-destination': create });
    mkdirSync(join(work, 'plugins'));
    ok(await run(join(work, 'tool', 'node_modules', '.bin', 'create-syncmodes-destination'), ['acme'], { cwd: join(work, 'plugins') }), 'create-syncmodes-destination acme');
    pkgDir = join(work, 'plugins', 'syncmodes-destination-acme');
    // As pack.ts explains: better-sqlite3 (a native addon of the kit) is linked from the
    // workspace instead of compiled again. This is the only change made to the package.
    const manifest = readJson(join(pkgDir, 'package.json'));
    writeFileSync(join(pkgDir, 'package.json'), `${JSON.stringify({ ...manifest, overrides: { 'better-sqlite3': `file:${join(WORKSPACE_ROOT, 'node_modules', 'better-sqlite3')}` } }, null, 2)}\n`);
    ok(
      await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--save-dev', kit], { cwd: pkgDir, env: childEnv({ npm_config_update_notifier: 'false' }), timeoutMs: 300_000 }),
      'npm install in the generated package',
    );
    // About a minute on a quiet machine; npm and the packing slow down most on a loaded one.
  }, 360_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('writes a standalone package: the kit and zod as peer dependencies, no trace of this repository', () => {
    const pkg = readJson(join(pkgDir, 'package.json'));
    expect(pkg.name).toBe('syncmodes-destination-acme');
    expect(pkg.peerDependencies).toEqual({ '@syncmodes/connector-kit': VERSIONS.kit, 'path-to-regexp': VERSIONS.pathToRegexp, zod: VERSIONS.zod });
    expect(pkg.dependencies).toBeUndefined();
    for (const file of filesUnder(pkgDir).filter((f) => f !== 'package-lock.json')) {
      expect(readFileSync(join(pkgDir, file), 'utf8'), file).not.toMatch(/@syncmodes\/source|tools\/tsup|tsconfig\.base/);
    }
  });

  it('passes its own tests (the conformance suite in every mode, against its emulator), type-checks, lints and builds, in its own folder', async () => {
    const env = childEnv();
    const bin = (name: string) => join(pkgDir, 'node_modules', '.bin', name);
    const report = join(work, 'vitest.json');
    const [tests, types, lint] = await Promise.all([
      run(bin('vitest'), ['run', '--reporter=json', `--outputFile=${report}`], { cwd: pkgDir, env }),
      run(bin('tsc'), ['--noEmit'], { cwd: pkgDir, env }),
      run(bin('eslint'), ['src', 'test'], { cwd: pkgDir, env }),
    ]);
    ok(types, 'tsc --noEmit');
    ok(tests, 'vitest run');
    ok(lint, 'eslint src test');
    ok(await run(bin('tsup'), [], { cwd: pkgDir, env }), 'tsup');
    expect(readdirSync(join(pkgDir, 'dist')).sort()).toEqual(expect.arrayContaining(['emulator.cjs', 'emulator.d.cts', 'emulator.d.ts', 'emulator.js', 'index.cjs', 'index.d.cts', 'index.d.ts', 'index.js']));
    const r = readJson(report) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; testResults: { assertionResults: { fullName: string }[] }[] };
    expect(r.numFailedTests).toBe(0);
    expect(r.numPendingTests).toBe(0);
    expect(r.numPassedTests).toBeGreaterThanOrEqual(27);
    const names = r.testResults.flatMap((f) => f.assertionResults.map((a) => a.fullName));
    for (const mode of ['sync', 'additive', 'enrich']) expect(names.some((n) => n.includes(`Acme conformance ${mode} mode`)), mode).toBe(true);
  });
});

describe('the versions a created package asks for', () => {
  it('are the ones this repository builds and tests with', () => {
    const root = readJson(join(WORKSPACE_ROOT, 'package.json'));
    const tools = readJson(join(WORKSPACE_ROOT, 'tools', 'package.json'));
    const kit = readJson(join(WORKSPACE_ROOT, 'packages', 'connector-kit', 'package.json'));
    expect(VERSIONS).toEqual({
      kit: `^${kit.version}`,
      zod: kit.dependencies.zod,
      pathToRegexp: kit.peerDependencies['path-to-regexp'],
      typescript: root.devDependencies.typescript,
      tsup: root.devDependencies.tsup,
      vitest: root.devDependencies.vitest,
      typesNode: root.devDependencies['@types/node'],
      eslint: root.devDependencies.eslint,
      eslintJs: root.devDependencies['@eslint/js'],
      typescriptEslint: root.devDependencies['typescript-eslint'],
      publint: tools.devDependencies.publint,
      attw: tools.devDependencies['@arethetypeswrong/cli'],
    });
  });
});
