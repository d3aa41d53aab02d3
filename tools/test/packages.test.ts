import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PATH_TO_REGEXP } from '../../packages/connector-kit/src/emulator/optional-peer';
import { WORKSPACE_ROOT, publishablePackages } from '../docs/workspace';
import { esmOnlyDependencies } from '../tsup/config-factory';
import { distImports } from './dist-imports';
import { installProject, outsideDir, packWorkspace } from './pack';
import { childEnv, ok, run } from './run';

const REPOSITORY = 'https://github.com/syncmodes/syncmodes';
/** Dependencies a package needs at run time without importing them itself. */
const INDIRECT: Record<string, readonly string[]> = {
  // The CLI runs every destination's emulator (`--emulator`): the emulators' optional peer; and
  // keeps state in SQLite by default: the kit's optional peer.
  '@syncmodes/cli': [PATH_TO_REGEXP.name, 'better-sqlite3'],
  // The SDK's own axios, required from the SDK's location so its interceptors apply (createRequire: no import to see).
  '@syncmodes/facebook': ['axios'],
};

/** Packages for Node 22.12+ (pg-boss 12 declares it): `require()` loads ESM there, so an ESM-only dependency stays a dependency. */
const NODE_22 = new Set(['@syncmodes/worker']);

// Every published package, packed with `npm pack` exactly as it would be published.
const packages = publishablePackages();
let packDir: string;
let tarballs: Map<string, string>;

beforeAll(async () => {
  packDir = outsideDir('syncmodes-pack-');
  tarballs = await packWorkspace(packDir);
});
afterAll(() => rmSync(packDir, { recursive: true, force: true }));

describe.each(packages.map((p) => [p.name, p] as const))('%s is publish-ready', (name, pkg) => {
  it('declares ESM + CJS + types, exports, files, sideEffects and engines', () => {
    const json = pkg.json as Record<string, unknown> & { exports: Record<string, unknown>; engines?: { node?: string } };
    expect(json.type).toBe('module');
    expect(json.sideEffects).toBe(false);
    expect(json.engines?.node).toMatch(NODE_22.has(name) ? /^>=22\.12/ : /^>=20/);
    expect(json.files).toEqual(expect.arrayContaining(['dist']));
    expect(json.exports['./package.json']).toBe('./package.json');
    expect(json.exports['.']).toMatchObject({
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    });
  });

  it('ships the MIT LICENSE and names its repository (with its folder), homepage, issue tracker and keywords', async () => {
    const json = pkg.json as Record<string, unknown>;
    expect(json.license).toBe('MIT');
    expect(json.repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: `packages/${basename(pkg.dir)}` });
    expect(json.homepage).toBe(`${REPOSITORY}/tree/main/packages/${basename(pkg.dir)}#readme`);
    expect(json.bugs).toEqual({ url: `${REPOSITORY}/issues` });
    expect((json.keywords as string[]).length).toBeGreaterThan(2);
    expect(json.keywords).toContain('syncmodes');
    expect(json.files).toContain('LICENSE');
    expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(WORKSPACE_ROOT, 'LICENSE'), 'utf8'));
    const listed = ok(await run('tar', ['-tzf', tarballs.get(name) as string], { cwd: WORKSPACE_ROOT }), 'tar -t').stdout.split('\n');
    expect(listed).toContain('package/LICENSE');
  });

  it('lists as dependencies only what its build loads at run time (what the build bundles is a devDependency)', () => {
    const json = pkg.json as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    // An ESM-only runtime dependency gets bundled (tools/tsup/config-factory.ts): it belongs in devDependencies.
    if (!NODE_22.has(name)) expect(esmOnlyDependencies(pkg.dir)).toEqual([]);
    const loaded = distImports(pkg.dir);
    const declared = new Set([...Object.keys(json.dependencies ?? {}), ...Object.keys(json.peerDependencies ?? {})]);
    // Everything the build loads is declared, so nothing is missing from an install…
    expect([...loaded].filter((dep) => !declared.has(dep))).toEqual([]);
    // …and every dependency is loaded by the build (a bundled one would not be), or needed indirectly.
    const unused = Object.keys(json.dependencies ?? {}).filter((dep) => !loaded.has(dep) && !(INDIRECT[name] ?? []).includes(dep));
    expect(unused).toEqual([]);
  });

  it("makes the emulators' server dependency an optional peer of every package with an ./emulator entry (and of the kit)", () => {
    const json = pkg.json as { exports: Record<string, unknown>; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    expect(json.dependencies?.[PATH_TO_REGEXP.name]).toBe(name === '@syncmodes/cli' ? PATH_TO_REGEXP.range : undefined);
    if (json.exports['./emulator'] === undefined) return;
    expect(json.peerDependencies?.[PATH_TO_REGEXP.name]).toBe(PATH_TO_REGEXP.range);
    expect(json.peerDependenciesMeta?.[PATH_TO_REGEXP.name]).toEqual({ optional: true });
    expect(json.devDependencies?.[PATH_TO_REGEXP.name]).toBe(PATH_TO_REGEXP.range);
  });

  it('passes publint --strict', async () => {
    const tarball = readFileSync(tarballs.get(name) as string);
    const { messages, pkg: packed } = await publint({ pack: { tarball: tarball.buffer.slice(tarball.byteOffset, tarball.byteOffset + tarball.byteLength) }, strict: true, level: 'suggestion' });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, packed) ?? m.code}`)).toEqual([]);
  });

  it('passes "are the types wrong" (node16 from ESM and CJS, bundler)', async () => {
    const result = await checkPackage(createPackageFromTarballData(new Uint8Array(readFileSync(tarballs.get(name) as string))));
    // node10 resolution (TypeScript's legacy `moduleResolution: node`) cannot see subpath
    // exports; every package needs Node >= 20.19, so it is ignored, as attw's node16 profile does.
    const problems = 'problems' in result ? result.problems.filter((p) => !('resolutionKind' in p) || p.resolutionKind !== 'node10') : [];
    expect(problems).toEqual([]);
    expect('entrypoints' in result && Object.keys(result.entrypoints).length).toBeGreaterThan(0);
  });
});

describe('the kit and a connector, installed from their tarballs into an empty project', () => {
  let project: string;
  beforeAll(async () => {
    project = outsideDir('syncmodes-consumer-');
    await installProject(project, {
      '@syncmodes/connector-kit': tarballs.get('@syncmodes/connector-kit') as string,
      '@syncmodes/salesforce': tarballs.get('@syncmodes/salesforce') as string,
    });
    writeFileSync(join(project, 'people.csv'), 'Id,Email,Last Name\n1,ada@example.com,Lovelace\n2,alan@example.com,Turing\n3,grace@example.com,Hopper\n');
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('installs no emulator server dependency and nothing the build bundled; the emulator entry then names what to install', async () => {
    const installed = new Set(readdirSync(join(project, 'node_modules')));
    // path-to-regexp: the emulators' router (an optional peer); p-queue, p-retry and their
    // own dependencies: bundled into the kit and the connector.
    for (const dep of [PATH_TO_REGEXP.name, 'p-queue', 'p-retry', 'p-timeout', 'eventemitter3', 'is-network-error']) expect(installed.has(dep), dep).toBe(false);
    expect(existsSync(join(project, 'node_modules', '@syncmodes', 'salesforce'))).toBe(true);
    const attempt = (code: string, type: 'module' | 'commonjs') => run('node', [`--input-type=${type}`, '-e', code], { cwd: project });
    // The destination itself loads without it, from ESM and CommonJS…
    expect(ok(await attempt("import('@syncmodes/salesforce').then((m) => console.log(m.destination.id))", 'module'), 'import').stdout.trim()).toBe('salesforce');
    expect(ok(await attempt("console.log(require('@syncmodes/salesforce').destination.id)", 'commonjs'), 'require').stdout.trim()).toBe('salesforce');
    // …and its emulator entry says what to install.
    const show = "(e) => { console.log(e.code + ': ' + e.message); process.exitCode = 3; }";
    for (const [code, type] of [
      [`import('@syncmodes/salesforce/emulator').catch(${show})`, 'module'],
      [`try { require('@syncmodes/salesforce/emulator') } catch (e) { (${show})(e) }`, 'commonjs'],
    ] as const) {
      const out = await attempt(code, type);
      expect(out.code, out.stderr).toBe(3);
      expect(out.stdout).toContain('missing_optional_dependency: Cannot load the syncmodes emulators');
      expect(out.stdout).toContain(`npm install --save-dev ${PATH_TO_REGEXP.name}@"${PATH_TO_REGEXP.range}"`);
    }
  });

  it('reads a CSV file in its worker thread, from ESM and CommonJS: the thread\'s file ships beside the entries', async () => {
    expect(existsSync(join(project, 'node_modules', '@syncmodes', 'connector-kit', 'dist', 'csv-worker.js'))).toBe(true);
    // 5,000 rows: the thread sends 4 batches of 1,000 and waits for the reader, so it is still there after the first item.
    const body = (load: string) => `${load}
const threads = () => Number(/^Threads:\\s+(\\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]);
fs.writeFileSync('many.csv', 'Id,Email\\n' + Array.from({ length: 5000 }, (_, i) => i + ',p' + i + '@example.com').join('\\n'));
(async () => {
  await fs.promises.readFile('many.csv'); // libuv's thread pool starts on a first file read: before counting
  const before = threads();
  const ids = [];
  let during;
  for await (const item of csvSource('many.csv', { idColumn: 'Id', fields: { Email: 'Email' } }, { thread: 'worker' }).open()) {
    during ??= threads();
    ids.push(item.id);
  }
  console.log(JSON.stringify({ rows: ids.length, last: ids.at(-1), more: during - before }));
})();`;
    for (const [load, type] of [
      ["import fs from 'node:fs';\nimport { csvSource } from '@syncmodes/connector-kit';", 'module'],
      ["const fs = require('node:fs');\nconst { csvSource } = require('@syncmodes/connector-kit');", 'commonjs'],
    ] as const) {
      const out = ok(await run('node', [`--input-type=${type}`, '-e', body(load)], { cwd: project }), type);
      const read = JSON.parse(out.stdout) as { rows: number; last: string; more: number };
      expect(read, type).toMatchObject({ rows: 5000, last: '4999' });
      expect(read.more, `${type}: no thread was started`).toBeGreaterThan(0);
    }
  });

  describe('with path-to-regexp installed as the error says (the syncs run against the emulator)', () => {
    beforeAll(async () => {
      ok(
        await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', '--save-dev', `${PATH_TO_REGEXP.name}@${PATH_TO_REGEXP.range}`], { cwd: project, env: childEnv({ npm_config_update_notifier: 'false' }), timeoutMs: 170_000 }),
        'npm install path-to-regexp',
      );
    });

    const script = (load: string) => `${load}
async function main() {
  const emulator = createSalesforceEmulator();
  const instanceUrl = await emulator.start();
  const state = new MemoryStateStore();
  try {
    const sync = () => runSync({
      collectResults: true,
      destination,
      config: { instanceUrl, accessToken: EMULATOR_ACCESS_TOKEN },
      mode: 'additive',
      source: openSource('people.csv', { idColumn: 'Id', fields: { Email: 'Email', LastName: 'Last Name' } }),
      state,
      sourceKey: 'Id',
    });
    const first = await sync();
    const second = await sync();
    const contacts = emulator.org.all('Contact').map((c) => c.Email).sort();
    console.log(JSON.stringify({ first: first.counts, second: second.counts, contacts }));
  } finally {
    await state.close();
    await emulator.stop();
  }
}
main().catch((e) => { console.error(e); process.exitCode = 1; });
`;

    const expected = {
      first: { created: 3, updated: 0, deleted: 0, unchanged: 0, skipped: 0, failed: 0 },
      second: { created: 0, updated: 0, deleted: 0, unchanged: 3, skipped: 0, failed: 0 },
      contacts: ['ada@example.com', 'alan@example.com', 'grace@example.com'],
    };

    it('runs a sync from plain Node as ESM (import)', async () => {
      writeFileSync(
        join(project, 'sync.mjs'),
        script(`import { openSource, runSync, MemoryStateStore } from '@syncmodes/connector-kit';
import { destination } from '@syncmodes/salesforce';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';`),
      );
      const out = ok(await run('node', ['sync.mjs'], { cwd: project }), 'node sync.mjs');
      expect(JSON.parse(out.stdout)).toEqual(expected);
    });

    it('runs a sync from plain Node as CommonJS (require)', async () => {
      writeFileSync(
        join(project, 'sync.cjs'),
        script(`const { openSource, runSync, MemoryStateStore } = require('@syncmodes/connector-kit');
const { destination } = require('@syncmodes/salesforce');
const { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } = require('@syncmodes/salesforce/emulator');`),
      );
      const out = ok(await run('node', ['sync.cjs'], { cwd: project }), 'node sync.cjs');
      expect(JSON.parse(out.stdout)).toEqual(expected);
    });

    it('installs no native SQLite addon, and SQLite state then says what to install', async () => {
      expect(existsSync(join(project, 'node_modules', 'better-sqlite3'))).toBe(false);
      writeFileSync(
        join(project, 'sqlite.mjs'),
        `import { SqliteStateStore } from '@syncmodes/connector-kit';
try { new SqliteStateStore(':memory:'); console.log('opened'); } catch (e) { console.log(e.code + ': ' + e.message); }`,
      );
      const out = ok(await run('node', ['sqlite.mjs'], { cwd: project }), 'node sqlite.mjs');
      expect(out.stdout).toContain('state_store_unavailable: SQLite state needs the better-sqlite3 package');
    });

    it('installed no source condition consumers could trip on, and the JSON Schema ships', () => {
      const sf = JSON.parse(readFileSync(join(project, 'node_modules/@syncmodes/salesforce/package.json'), 'utf8')) as { exports: Record<string, unknown> };
      expect(sf.exports['./config.schema.json']).toBe('./config.schema.json');
      const schema = JSON.parse(readFileSync(join(project, 'node_modules/@syncmodes/salesforce/config.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
      expect(schema.properties.accessToken).toMatchObject({ 'x-secret': true, 'x-env': 'SALESFORCE_ACCESS_TOKEN' });
    });
  });
});
