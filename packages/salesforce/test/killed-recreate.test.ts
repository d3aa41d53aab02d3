import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMULATOR_ACCESS_TOKEN } from '../src/emulator/index';
import { startEmulator } from './salesforce-harness';

const ENTRY = new URL('./fixtures/cli-entry.ts', import.meta.url).pathname;

/** Starts the CLI's main in a child process; its exit, and the process to kill. */
function startEntry(args: readonly string[]) {
  const child = spawn(process.execPath, ['--conditions=@syncmodes/source', '--import', 'tsx', ENTRY, ...args], {
    env: { ...process.env, SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (out += String(d)));
  return { child, exited: new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out }))) };
}

// Fresh reviewer 100, F3: a run killed (SIGKILL) while it created again a Contact this sync had written and a person had
// deleted left the new Contact someone else's: its write-ahead mark named the deleted Contact and that one's ownership, so
// the next run, finding the new one by Email, wrote it "as on a first match", and sync mode never deleted it.
describe('Salesforce: a run killed while re-creating a Contact this sync wrote', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  beforeEach(async () => {
    env = await startEmulator();
  });
  afterEach(async () => {
    await env.emulator.stop();
  });

  it('the Contact it created is still its own on the next runs: deleted when the row leaves the source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sf-killed-'));
    const file = join(dir, 'people.csv');
    const report = join(dir, 'report.json');
    const args = (...extra: string[]) => ['sync', '--to', 'salesforce', '--mode', 'sync', '--from', file, '--id', 'id', '--map', 'Email=Email', '--map', 'LastName=LastName',
      '--option', `instanceUrl=${env.url}`, '--state-dir', join(dir, 'state'), '--report', report, '--no-progress', '--allow-deletes', '10', ...extra];
    writeFileSync(file, 'id,Email,LastName\n1,ann@example.com,Ann\n2,bob@example.com,Bob\n');
    expect((await startEntry(args()).exited).code).toBe(0);
    const ann = env.emulator.org.all('Contact').find((c) => c.Email === 'ann@example.com');
    expect(env.emulator.org.delete(ann?.Id as string).success).toBe(true);

    // The create is held 3 s by the server, which then applies it; the run is killed while it waits.
    env.emulator.setFaults([{ kind: 'latency', method: 'POST', path: 'composite', latencyMs: 3000 }]);
    const killed = startEntry(args('--recheck'));
    while ((await env.admin.faults()).injected.latency === 0) await new Promise((r) => setTimeout(r, 20));
    killed.child.kill('SIGKILL');
    await killed.exited;
    env.emulator.setFaults([]);
    while (!env.emulator.org.all('Contact').some((c) => c.Email === 'ann@example.com')) await new Promise((r) => setTimeout(r, 50));
    const created = env.emulator.org.all('Contact').find((c) => c.Email === 'ann@example.com');

    const again = await startEntry(args('--recheck')).exited;
    expect(again.code, again.out).toBe(0);
    expect(env.emulator.org.all('Contact').filter((c) => c.Email === 'ann@example.com').map((c) => c.Id)).toEqual([created?.Id]);

    writeFileSync(file, 'id,Email,LastName\n2,bob@example.com,Bob\n');
    const left = await startEntry(args()).exited;
    expect(left.code, left.out).toBe(0);
    expect(env.emulator.org.all('Contact').map((c) => c.Email)).toEqual(['bob@example.com']);
  }, 90_000);
});
