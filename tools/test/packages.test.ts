import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishablePackages } from '../docs/workspace';
import { installProject, outsideDir, packWorkspace } from './pack';
import { ok, run } from './run';

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
    expect(json.engines?.node).toMatch(/^>=20/);
    expect(json.files).toEqual(expect.arrayContaining(['dist']));
    expect(json.exports['./package.json']).toBe('./package.json');
    expect(json.exports['.']).toMatchObject({
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    });
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

  const script = (load: string) => `${load}
async function main() {
  const emulator = createSalesforceEmulator();
  const instanceUrl = await emulator.start();
  const state = new MemoryStateStore();
  try {
    const sync = () => runSync({
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
