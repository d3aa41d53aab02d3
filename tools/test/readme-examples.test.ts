import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKSPACE_ROOT } from '../docs/workspace';
import { childEnv, run } from './run';

const README = join(WORKSPACE_ROOT, 'packages', 'connector-kit', 'README.md');

/** The README's code blocks fenced as ```` ```ts runnable ````, in order, with what each says it prints (`// prints: …`). */
function runnableBlocks(markdown: string): { code: string; prints: string[] }[] {
  return [...markdown.matchAll(/^```ts runnable\n([\s\S]*?)^```$/gm)].map((m) => {
    const code = m[1] as string;
    return { code, prints: [...code.matchAll(/^\/\/ prints: (.*)$/gm)].map((p) => p[1] as string) };
  });
}

const blocks = runnableBlocks(readFileSync(README, 'utf8'));
const CONTACTS_CSV = 'Customer Id,Email,Last Name\nc-1,ada@example.com,King\nc-3,grace@example.com,Hopper\n';

// The kit README's library examples, as a user would run them: each block is written to a
// file of its own (in a folder whose node_modules is the workspace's), type-checked, and run
// in its own process against the Salesforce emulator; what it prints is compared with its
// `// prints:` lines, and the emulator's data with what the README says happened.
describe('the kit README’s runnable examples', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let url: string;
  let dir: string;
  const files = blocks.map((_, i) => `example-${i + 1}.mts`);
  const runBlock = (i: number) =>
    run(join(WORKSPACE_ROOT, 'node_modules', '.bin', 'tsx'), ['--conditions=@syncmodes/source', files[i] as string], {
      cwd: dir,
      env: childEnv({ SALESFORCE_INSTANCE_URL: url, SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN }),
    });
  const printed = (stdout: string) => stdout.trimEnd().split('\n');
  const contacts = () => emulator.org.all('Contact').map((c) => `${String(c.Email)} ${String(c.LastName)}`).sort();

  beforeAll(async () => {
    emulator = createSalesforceEmulator();
    url = await emulator.start();
    dir = mkdtempSync(join(tmpdir(), 'syncmodes-readme-'));
    symlinkSync(join(WORKSPACE_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    blocks.forEach((b, i) => writeFileSync(join(dir, files[i] as string), b.code));
    writeFileSync(join(dir, 'contacts.csv'), CONTACTS_CSV);
  });
  afterAll(async () => {
    await emulator.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has two runnable blocks, each saying what it prints', () => {
    expect(blocks).toHaveLength(2);
    for (const b of blocks) expect(b.prints.length).toBeGreaterThan(0);
  });

  it('every block type-checks against the packages’ types (strict)', () => {
    const program = ts.createProgram(
      files.map((f) => join(dir, f)),
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        customConditions: ['@syncmodes/source'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
    );
    const problems = files.flatMap((f) => {
      const source = program.getSourceFile(join(dir, f));
      return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
        (d) => `${f}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
      );
    });
    expect(problems).toEqual([]);
  });

  it('records from memory with SQLite state: creates both Contacts and the Newsletter campaign; run again, nothing is sent', async () => {
    const first = await runBlock(0);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(printed(first.stdout)).toEqual(blocks[0]?.prints);
    expect(contacts()).toEqual(['ada@example.com Lovelace', 'alan@example.com Turing']);
    const [campaign] = emulator.org.all('Campaign');
    expect(campaign?.Name).toBe('Newsletter');
    expect(emulator.org.all('CampaignMember').map((m) => m.CampaignId)).toEqual([campaign?.Id]);

    emulator.clearRequests();
    const again = await runBlock(0);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('"unchanged":2');
    expect(emulator.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('a file with in-memory state in enrich mode: updates Ada, creates nobody', async () => {
    const out = await runBlock(1);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(printed(out.stdout)).toEqual(blocks[1]?.prints);
    expect(contacts()).toEqual(['ada@example.com King', 'alan@example.com Turing']);
  });
});
