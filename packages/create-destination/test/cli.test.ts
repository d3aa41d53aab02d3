import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli';

describe('create-syncmodes-destination', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), 'create-destination-'));
  });
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));
  const create = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, cwd });
    return { code, stdout, stderr };
  };

  it('writes syncmodes-destination-<id> into a new folder and says what to do next', async () => {
    const out = await create('acme', '--modes', 'additive,enrich');
    expect(out).toMatchObject({ code: 0, stderr: '' });
    expect(out.stdout).toContain('Created syncmodes-destination-acme (Acme; modes additive, enrich, default additive) in syncmodes-destination-acme. Next:');
    expect(out.stdout).toContain('  npm test ');
    const pkg = JSON.parse(readFileSync(join(cwd, 'syncmodes-destination-acme', 'package.json'), 'utf8'));
    expect(pkg.name).toBe('syncmodes-destination-acme');
    expect(existsSync(join(cwd, 'syncmodes-destination-acme', 'test', 'conformance.test.ts'))).toBe(true);
    expect(existsSync(join(cwd, 'syncmodes-destination-acme', '.gitignore'))).toBe(true);
  });

  it('takes --dir, --package-name and --display-name; a scoped name goes into a folder without its scope', async () => {
    expect((await create('acme', '--package-name', '@corp/syncmodes-destination-acme')).code).toBe(0);
    expect(existsSync(join(cwd, 'syncmodes-destination-acme', 'package.json'))).toBe(true);
    expect((await create('acme', '--dir', 'here', '--display-name', 'ACME CRM')).code).toBe(0);
    expect(readFileSync(join(cwd, 'here', 'README.md'), 'utf8')).toContain('The ACME CRM destination for syncmodes');
  });

  it('refuses, with exit code 2 and nothing written: a folder that is not empty, no id, two ids, an unknown option, a bad mode', async () => {
    mkdirSync(join(cwd, 'taken'));
    writeFileSync(join(cwd, 'taken', 'notes.txt'), 'mine');
    const taken = await create('acme', '--dir', 'taken');
    expect(taken).toMatchObject({ code: 2, stdout: '' });
    expect(taken.stderr).toBe(`create-syncmodes-destination: ${join(cwd, 'taken')} already exists and is not empty: choose another folder (--dir).\n`);
    expect(readFileSync(join(cwd, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
    expect((await create()).stderr).toContain('Give the destination id');
    expect((await create('a', 'b')).stderr).toContain('One destination id at a time (got a, b).');
    const unknown = await create('acme', '--colour');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    expect((await create('acme', '--modes', 'mirror')).stderr).toContain('Unknown sync mode "mirror"');
    expect(existsSync(join(cwd, 'syncmodes-destination-acme'))).toBe(false);
  });

  it('prints its help and version', async () => {
    const help = await create('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: create-syncmodes-destination <id> [options]');
    const version = await create('-v');
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });
});
