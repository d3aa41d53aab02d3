import { describe, expect, it } from 'vitest';
import { startBin } from './bin-process';

// Fresh new-user check 150: `syncmodes sync --help | head -1` crashed with "Error: write EPIPE" and a stack trace, exit 1.
describe('a reader that closes its end of stdout', () => {
  it('sync --help piped into a reader that stops after its first line: exit 0, no stack trace', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const bin = startBin(['sync', '--help']);
      bin.child.stdout?.once('data', () => bin.child.stdout?.destroy());
      const { code } = await bin.exited;
      expect(bin.output.stderr).not.toMatch(/EPIPE|at Object\./);
      expect(code).toBe(0);
    }
  }, 60_000);
});
