import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../src/options';
import { renderDestination, type GeneratedFile } from '../src/render';
import { VERSIONS } from '../src/versions';

const byPath = (files: readonly GeneratedFile[]) => new Map(files.map((f) => [f.path, f.content]));
const COMMON = [
  'README.md',
  'package.json',
  'src/acme-destination.ts',
  'src/client.ts',
  'src/config.ts',
  'src/emulator/acme-emulator.ts',
  'src/emulator/emulator-plugin.ts',
  'src/emulator/index.ts',
  'src/index.ts',
  'src/limits.ts',
  'src/verbs.ts',
  'test/conformance.test.ts',
  'test/emulator.test.ts',
  'test/harness.ts',
  'tsconfig.json',
  'tsup.config.ts',
  'vitest.config.ts',
];

describe('the rendered package', () => {
  const standalone = renderDestination(resolveOptions({ name: 'acme' }, 'standalone'));
  const monorepo = renderDestination(resolveOptions({ name: 'acme' }, 'monorepo'), { projectRoot: 'packages/acme', offset: '../../' });

  it('standalone: the common files plus its own configs, a .gitignore and a CI workflow; no template syntax left', () => {
    expect(standalone.map((f) => f.path).sort()).toEqual([...COMMON, '.github/workflows/ci.yml', '.gitignore', 'eslint.config.js'].sort());
    for (const f of standalone) expect(f.content, f.path).not.toMatch(/<%|%>|__name__/);
  });

  it('standalone: no trace of the repository (no @syncmodes/source condition, no shared configs)', () => {
    for (const f of standalone) expect(f.content, f.path).not.toMatch(/@syncmodes\/source|tools\/tsup|tsconfig\.base|syncmodes:modes/);
    const files = byPath(standalone);
    expect(JSON.parse(files.get('tsconfig.json') ?? '{}').compilerOptions).toMatchObject({ strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true });
    expect(files.get('tsup.config.ts')).toContain("entry: { index: 'src/index.ts', emulator: 'src/emulator/index.ts' }");
  });

  it('standalone package.json: the kit and zod as peers and dev dependencies, the emulator router an optional peer, dev tools pinned', () => {
    const pkg = JSON.parse(byPath(standalone).get('package.json') ?? '{}');
    expect(pkg.name).toBe('syncmodes-destination-acme');
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toEqual({ '@syncmodes/connector-kit': VERSIONS.kit, 'path-to-regexp': VERSIONS.pathToRegexp, zod: VERSIONS.zod });
    expect(pkg.peerDependenciesMeta).toEqual({ 'path-to-regexp': { optional: true } });
    expect(pkg.devDependencies).toMatchObject({ '@syncmodes/connector-kit': VERSIONS.kit, zod: VERSIONS.zod, typescript: '5.9.3', tsup: '8.5.1', vitest: '4.1.12', '@types/node': VERSIONS.typesNode });
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(['publint', '@arethetypeswrong/cli', 'eslint', 'typescript-eslint', '@eslint/js', 'path-to-regexp']));
    expect(pkg.exports['.']).toEqual({ import: { types: './dist/index.d.ts', default: './dist/index.js' }, require: { types: './dist/index.d.cts', default: './dist/index.cjs' } });
    expect(pkg.scripts).toMatchObject({ test: 'vitest run', typecheck: 'tsc --noEmit', build: 'tsup' });
  });

  it('monorepo: the shared configs, the source condition, the generated README sections and the repository fields', () => {
    expect(monorepo.map((f) => f.path).sort()).toEqual(COMMON);
    const files = byPath(monorepo);
    expect(JSON.parse(files.get('tsconfig.json') ?? '{}')).toEqual({ extends: '../../tsconfig.base.json', include: ['src', 'test', '*.ts'] });
    expect(files.get('tsup.config.ts')).toContain("from '../../tools/tsup/config-factory'");
    expect(files.get('README.md')).toContain('<!-- syncmodes:options:start -->');
    const pkg = JSON.parse(files.get('package.json') ?? '{}');
    expect(pkg.exports['.']['@syncmodes/source']).toBe('./src/index.ts');
    expect(pkg.peerDependencies['@syncmodes/connector-kit']).toBe(VERSIONS.kit);
    expect(pkg.repository).toEqual({ type: 'git', url: 'git+https://github.com/syncmodes/syncmodes.git', directory: 'packages/acme' });
    expect(pkg.files).toContain('LICENSE');
  });

  it('shares the source and tests between the flavours: only configs, README and package.json differ', () => {
    const input = { name: 'acme', packageName: '@corp/syncmodes-destination-acme' };
    const s = byPath(renderDestination(resolveOptions(input, 'standalone')));
    const m = [...byPath(renderDestination(resolveOptions(input, 'monorepo'), { projectRoot: 'packages/acme', offset: '../../' }))].filter(([path]) => /^(src|test)\//.test(path));
    expect(m.length).toBe(12);
    for (const [path, content] of m) expect(s.get(path), path).toBe(content);
  });

  it('declares only the chosen modes, with a reason for each missing one', () => {
    const files = byPath(renderDestination(resolveOptions({ name: 'mailer', modes: 'enrich' }, 'standalone')));
    const definition = files.get('src/mailer-destination.ts') ?? '';
    expect(definition).toContain("syncModes: ['enrich'],");
    expect(definition).toContain("defaultSyncMode: 'enrich',");
    expect(definition).toContain("sync: 'TODO: why Mailer cannot honour sync mode.',");
    expect(files.get('README.md')).toContain('| `enrich` | yes (default) |');
    expect(files.get('README.md')).toContain('| `sync` | no |');
  });
});
