import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { intercomHarness } from '../../../packages/intercom/test/intercom-harness';
import { cliInvocation, spawnCli, writeSourceCsv } from '../src/checks/crash-cli';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// The harness's CLI entry ends as the `syncmodes` bin does, whatever timers an SDK leaves:
// the Intercom SDK does not clear its per-request timeout when the fetch rejects (a
// connection cut), so with the 600 s timeout of the concurrency check, a run whose create was
// cut stayed alive 600 s after its summary under the old entry (CI preview 101).
it('the CLI entry exits once the run ends, though a cut request left the SDK its 600 s timer', async () => {
  const h = intercomHarness;
  const t = await h.start();
  const dir = mkdtempSync(join(tmpdir(), 'syncmodes-cli-entry-'));
  dirs.push(dir);
  try {
    const rows = Array.from({ length: 3 }, (_, i) => ({ id: `r${i}`, snapshot: h.record(i, []).snapshot }));
    const columns = Object.keys(rows[0]?.snapshot.properties ?? {});
    const file = join(dir, 'source.csv');
    writeSourceCsv(file, rows, columns);
    const { args, env } = cliInvocation({ destination: h.destination, target: t, mode: 'additive', columns, dir });
    await t.admin.setFaults([{ kind: 'reset', times: 1, method: 'POST', path: '^/contacts$' }]);
    const started = Date.now();
    const child = spawnCli(args(file, ['--option', 'requestTimeoutMs=600000']), env);
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const code = await Promise.race([exited, new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), 60_000))]);
    if (code === 'alive') child.kill('SIGKILL');
    expect((await t.admin.faults()).injected.reset).toBe(1);
    expect(code, output).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
  } finally {
    await t.stop();
  }
});
