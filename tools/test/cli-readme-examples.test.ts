import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliModule } from '../docs/cli-readme';
import { WORKSPACE_ROOT } from '../docs/workspace';
import { childEnv, run } from './run';

const README_FILES = ['packages/cli/README.md', 'README.md', 'packages/connector-kit/README.md'];
const { commandTree } = (await import(pathToFileURL(join(WORKSPACE_ROOT, 'packages', 'cli', 'src', 'index.ts')).href)) as CliModule;

type Tree = ReturnType<CliModule['commandTree']>;

/** The `sh` code blocks of a Markdown file, with `runnable` ones marked. */
function shBlocks(markdown: string): { code: string; runnable: boolean }[] {
  return [...markdown.matchAll(/^```sh( runnable)?\n([\s\S]*?)^```$/gm)].map((m) => ({ code: m[2] as string, runnable: m[1] !== undefined }));
}

/** Each `syncmodes …` command in a shell block: continuation lines joined, comments dropped. */
function commandLines(code: string): string[] {
  return code
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .flatMap((line) => line.replace(/\s#.*$/, '').split('|'))
    .map((part) => part.trim())
    .filter((part) => /(^|\s)syncmodes\s/.test(part) && !part.startsWith('npm '))
    .map((part) => part.slice(part.search(/(^|\s)syncmodes\s/)).trim());
}

/** The flags a command line uses, checked against the command commander defines: unknown flags. */
function unknownFlags(line: string, root: Tree): string[] {
  const words = line.split(/\s+/).slice(1);
  let command = root;
  for (const word of words) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
  }
  const known = new Set(command.options.flatMap((o) => o.flags.split(/[ ,]+/).filter((f) => f.startsWith('-'))).concat(['--help', '-h']));
  return words.filter((w) => /^--?[a-zA-Z]/.test(w)).map((w) => w.replace(/=.*$/, '')).filter((f) => !known.has(f));
}

describe('the command lines in the READMEs', () => {
  it.each(README_FILES)('%s: every syncmodes command uses flags its command has', (file) => {
    const root = commandTree();
    const lines = shBlocks(readFileSync(join(WORKSPACE_ROOT, file), 'utf8')).flatMap((b) => commandLines(b.code));
    const problems = lines.flatMap((line) => unknownFlags(line, root).map((flag) => `${flag} in: ${line}`));
    expect(problems).toEqual([]);
    if (file === 'packages/cli/README.md') expect(lines.length).toBeGreaterThan(5);
  });

  it('the check itself finds a flag a command does not have', () => {
    expect(unknownFlags('syncmodes sync --to x --allow-everything', commandTree())).toEqual(['--allow-everything']);
    expect(unknownFlags('syncmodes state forget customers --yes', commandTree())).toEqual([]);
  });
});

// The CLI README's "Try it without an account" block, run as written by bash, with
// `syncmodes` on the PATH running the CLI from its sources against the Salesforce emulator.
describe('the CLI README’s runnable block', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'syncmodes-cli-readme-'));
    const shim = join(dir, 'bin', 'syncmodes');
    mkdirSync(join(dir, 'bin'));
    writeFileSync(
      shim,
      `#!/bin/sh\nexec "${join(WORKSPACE_ROOT, 'node_modules', '.bin', 'tsx')}" --conditions=@syncmodes/source "${join(WORKSPACE_ROOT, 'packages', 'cli', 'test', 'fixtures', 'bin-from-source.ts')}" "$@"\n`,
    );
    chmodSync(shim, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates two Contacts in the emulator, then a rerun leaves both unchanged', async () => {
    const blocks = shBlocks(readFileSync(join(WORKSPACE_ROOT, 'packages', 'cli', 'README.md'), 'utf8')).filter((b) => b.runnable);
    expect(blocks).toHaveLength(1);
    writeFileSync(join(dir, 'try.sh'), `set -e\n${blocks[0]?.code ?? ''}`);
    const out = await run('bash', ['try.sh'], { cwd: dir, env: childEnv({ PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` }) });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const [first, second] = out.stdout.split(/(?=Salesforce · additive mode)/);
    expect(first).toMatch(/created\s*│\s*2\s/);
    expect(second).toMatch(/unchanged\s*│\s*2\s/);
    expect(second).toContain('API calls: none');
    const data = JSON.parse(readFileSync(join(dir, '.syncmodes', 'emulators', 'salesforce.json'), 'utf8')) as { Contact: { Email: string; LastName: string }[] };
    expect(data.Contact.map((c) => `${c.Email} ${c.LastName}`).sort()).toEqual(['ada@example.com Lovelace', 'alan@example.com Turing']);
  });
});
