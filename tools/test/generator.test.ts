import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTreeWithEmptyWorkspace } from 'nx/src/devkit-testing-exports';
import { FsTree, flushChanges } from 'nx/src/generators/tree';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import destinationGenerator, { normalizeOptions } from '../generators/destination/generator.js';
import { readmeSections, updateReadme } from '../docs/render';
import { WORKSPACE_ROOT } from '../docs/workspace';
import { childEnv, ok, run } from './run';

const bin = (name: string) => join(WORKSPACE_ROOT, 'node_modules', '.bin', name);
const KIT = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'packages', 'connector-kit', 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string>; devDependencies: Record<string, string> };

describe('the destination generator', () => {
  // A throwaway destination, generated inside the workspace (so it resolves the kit, zod,
  // vitest and the shared configs like a package under packages/ does) but outside the
  // npm workspaces and Nx projects, then removed.
  const scratch = join(WORKSPACE_ROOT, 'tmp', `generator-test-${process.pid}`);
  const dir = join(scratch, 'acme');

  beforeAll(async () => {
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const tree = new FsTree(WORKSPACE_ROOT, false);
    const callback = await destinationGenerator(tree, { name: 'acme', directory: `tmp/generator-test-${process.pid}`, skipInstall: true });
    flushChanges(WORKSPACE_ROOT, tree.listChanges());
    expect(typeof callback).toBe('function');
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('scaffolds the definition, zod config, verbs, emulator, conformance test and README', () => {
    for (const file of [
      'package.json',
      'README.md',
      'src/index.ts',
      'src/config.ts',
      'src/acme-destination.ts',
      'src/verbs.ts',
      'src/client.ts',
      'src/emulator/acme-emulator.ts',
      'src/emulator/emulator-plugin.ts',
      'src/emulator/index.ts',
      'test/harness.ts',
      'test/conformance.test.ts',
      'test/emulator.test.ts',
      'tsconfig.json',
      'tsup.config.ts',
      'vitest.config.ts',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies?: Record<string, string>; peerDependencies: Record<string, string>; devDependencies: Record<string, string>; repository: { directory: string } };
    expect(pkg.name).toBe('@syncmodes/acme');
    // The kit and zod are peers, as docs/plugin-authors.md says (and dev dependencies for the tests).
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toEqual({ '@syncmodes/connector-kit': `^${KIT.version}`, 'path-to-regexp': KIT.devDependencies['path-to-regexp'], zod: KIT.dependencies.zod });
    expect(pkg.devDependencies).toMatchObject({ '@syncmodes/connector-kit': `^${KIT.version}`, zod: KIT.dependencies.zod });
    expect(pkg.repository.directory).toBe(`tmp/generator-test-${process.pid}/acme`);
    expect(readFileSync(join(dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(WORKSPACE_ROOT, 'LICENSE'), 'utf8'));
    expect(readFileSync(join(dir, 'src/config.ts'), 'utf8')).toContain("secret(z.string().min(1).describe('API key of the Acme account.'), 'ACME_API_KEY')");
  });

  it('as generated, type-checks, lints, passes its own tests (conformance in every mode against its emulator) and builds', async () => {
    const env = childEnv();
    const [typecheck, lint] = await Promise.all([
      run(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: dir, env }),
      run(bin('eslint'), ['src', 'test'], { cwd: dir, env }),
    ]);
    ok(typecheck, 'tsc');
    ok(lint, 'eslint');
    ok(await run(bin('vitest'), ['run'], { cwd: dir, env }), 'vitest');
    const report = JSON.parse(readFileSync(join(dir, 'reports', 'vitest.json'), 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
      testResults: { assertionResults: { fullName: string; status: string }[] }[];
    };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPendingTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(27);
    const names = report.testResults.flatMap((f) => f.assertionResults.map((a) => a.fullName));
    for (const mode of ['sync', 'additive', 'enrich']) expect(names.some((n) => n.includes(`Acme conformance ${mode} mode`)), mode).toBe(true);
    ok(await run(bin('tsup'), [], { cwd: dir, env }), 'tsup');
    for (const file of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts', 'emulator.js', 'emulator.cjs', 'emulator.d.ts']) {
      expect(existsSync(join(dir, 'dist', file)), file).toBe(true);
    }
  });

  it("renders the README's mode and options tables from the generated schema", async () => {
    const { destination } = (await import(join(dir, 'src', 'index.ts'))) as { destination: Parameters<typeof readmeSections>[0] };
    const readme = updateReadme(readFileSync(join(dir, 'README.md'), 'utf8'), readmeSections(destination));
    expect(readme).toContain('| `additive` | yes (default) | yes | yes | never |');
    expect(readme).toContain('**secret**: from `$ACME_API_KEY`');
  });

  it('is wired into Nx as @syncmodes/tools:destination', async () => {
    const result = ok(
      await run(bin('nx'), ['g', '@syncmodes/tools:destination', 'wired', '--directory', `tmp/generator-test-${process.pid}`, '--dry-run', '--no-interactive'], {
        cwd: WORKSPACE_ROOT,
        env: childEnv({ NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' }),
      }),
      'nx g',
    );
    expect(result.stdout).toContain(`CREATE tmp/generator-test-${process.pid}/wired/src/wired-destination.ts`);
    expect(existsSync(join(scratch, 'wired'))).toBe(false);
  });

  it('declares only the chosen modes, with a reason for each missing one', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await destinationGenerator(tree, { name: 'mailer', modes: 'enrich', packageName: '@acme/syncmodes-destination-mailer', skipInstall: true });
    const definition = tree.read('packages/mailer/src/mailer-destination.ts', 'utf8') ?? '';
    expect(definition).toContain("syncModes: ['enrich'],");
    expect(definition).toContain("defaultSyncMode: 'enrich',");
    expect(definition).toMatch(/sync: 'TODO: why Mailer cannot honour sync mode.'/);
    expect(JSON.parse(tree.read('packages/mailer/package.json', 'utf8') ?? '{}').name).toBe('@acme/syncmodes-destination-mailer');
    await expect(normalizeOptions(tree, { name: 'Bad Name' })).rejects.toThrow(/lowercase/);
    await expect(normalizeOptions(tree, { name: 'x', modes: 'mirror' })).rejects.toThrow(/Unknown sync mode "mirror"/);
    await expect(normalizeOptions(tree, { name: 'x', modes: 'enrich', defaultMode: 'sync' })).rejects.toThrow(/not among the modes/);
    await expect(normalizeOptions(tree, { name: 'mailer' })).rejects.toThrow(/packages\/mailer already exists/);
  });
});
