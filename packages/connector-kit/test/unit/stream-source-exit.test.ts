import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('../fixtures/stream-hard-exit.ts', import.meta.url));

describe('the spooled copy of a stream (#17)', () => {
  it('is removed when the process exits before dispose() (a second Ctrl-C): it may hold personal data', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'syncmodes-exit-'));
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@syncmodes/source', FIXTURE], { env: { ...process.env, TMPDIR: tmp }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(130);
    expect(readdirSync(tmp).filter((f) => f.startsWith('syncmodes-stream-'))).toEqual([]);
  });
});
