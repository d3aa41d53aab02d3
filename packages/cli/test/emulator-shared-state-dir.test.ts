import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasOpen, startBin, until, type BinProcess } from './bin-process';
import { tempDir } from './cli-helpers';

// Hostile trial: two runs of different syncs at once with --emulator on one --state-dir each
// loaded the emulator's data file, and the one that saved last wrote over what the other had
// created. One emulated destination per state folder, shared by its syncs: a second run waits
// for the first to release the data, then starts from what it saved. Each run reads a named
// pipe as its source, which it opens only once its emulator is started: the test holds it there.

type SalesforceData = { Contact?: { Email?: string }[] };
const emailsIn = (path: string): string[] =>
  existsSync(path) ? ((JSON.parse(readFileSync(path, 'utf8')) as SalesforceData).Contact ?? []).map((c) => String(c.Email)).sort() : [];

const WAITING = /Waiting for the Salesforce emulator: another syncmodes run holds its data \(".*emulators\/salesforce\.json", this --state-dir\); this run starts when that one ends \(Ctrl-C stops waiting\)\./;

/** A folder with a state dir and named pipes as sources: a run opens its pipe only once its emulator is started (its data loaded), and waits there until the test writes. */
function workspace() {
  const dir = tempDir();
  const state = join(dir, 's');
  const pipe = (name: string) => {
    const path = join(dir, `${name}.csv`);
    execFileSync('mkfifo', [path]);
    return path;
  };
  /** `syncmodes sync --emulator` of the sync named after `source` (a different sync per pipe), additive, into Contacts. */
  const run = (source: string) =>
    startBin(['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', source, '--id', 'Id', '--map', 'Email=Email', '--map', 'LastName=Name', '--state-dir', state, '--no-progress']);
  return { dir, state, pipe, run, data: join(state, 'emulators', 'salesforce.json') };
}

const rows = (prefix: string) => `Id,Email,Name\n${[1, 2, 3].map((i) => `${prefix}${i},${prefix}${i}@example.com,N${i}`).join('\n')}\n`;

/** Once `bin` reads its source pipe (its emulator is started, its data loaded), writes `text` to it and closes it. */
async function feed(bin: BinProcess, pipe: string, text: string): Promise<void> {
  await until(() => hasOpen(bin.child.pid as number, pipe), 60_000, `the run to read ${pipe}`);
  const writer: FileHandle = await open(pipe, 'w');
  await writer.writeFile(text);
  await writer.close();
}

const kill = (bins: readonly (BinProcess | undefined)[]) => bins.forEach((bin) => bin?.child.kill('SIGKILL'));

describe('--emulator: runs of different syncs at once on one --state-dir', () => {
  it("both keep their records: the second waits for the first (saying so), then starts from the data the first saved", async () => {
    const ws = workspace();
    const [a, b] = [ws.pipe('a'), ws.pipe('b')];
    const first = ws.run(a);
    let second: BinProcess | undefined;
    try {
      // Once the first run reads its source, its emulator holds the data (loaded, nothing written yet).
      await until(() => hasOpen(first.child.pid as number, a), 60_000, 'the first run to read its source');
      second = ws.run(b);
      const started = second;
      // The second run either waits for the data, or (what the old code did) loaded it too and reads its source.
      await until(() => WAITING.test(started.output.stderr) || hasOpen(started.child.pid as number, b), 60_000, 'the second run to wait or read its source');
      await feed(first, a, rows('a'));
      expect((await first.exited).code, first.output.stderr).toBe(0);
      await feed(second, b, rows('b'));
      expect((await second.exited).code, second.output.stderr).toBe(0);
      expect(emailsIn(ws.data)).toEqual(['a1@example.com', 'a2@example.com', 'a3@example.com', 'b1@example.com', 'b2@example.com', 'b3@example.com']);
      expect(second.output.stderr).toMatch(WAITING);
      // Each sync's state matches the emulator: a second round of both changes nothing.
      for (const [pipe, prefix] of [[a, 'a'], [b, 'b']] as const) {
        const again = ws.run(pipe);
        try {
          await feed(again, pipe, rows(prefix));
          expect((await again.exited).code, again.output.stderr).toBe(0);
          expect(again.output.stdout).toMatch(/unchanged +│ +3/);
        } finally {
          kill([again]);
        }
      }
    } finally {
      kill([first, second]);
    }
  }, 180_000);

  it('Ctrl-C while waiting ends the waiting run at once (exit 130, nothing sent); the first run goes on and keeps its records', async () => {
    const ws = workspace();
    const [a, b] = [ws.pipe('a'), ws.pipe('b')];
    const first = ws.run(a);
    let second: BinProcess | undefined;
    try {
      await until(() => hasOpen(first.child.pid as number, a), 60_000, 'the first run to read its source');
      second = ws.run(b);
      const waiting = second;
      await until(() => WAITING.test(waiting.output.stderr), 60_000, 'the second run to wait');
      second.child.kill('SIGINT');
      const { code } = await second.exited;
      expect(code, second.output.stderr).toBe(130);
      expect(second.output.stderr).toMatch(/error \(interrupted\): Interrupted while waiting for another run to release the Salesforce emulator's data: nothing was sent\.\n$/);
      expect(second.output.stdout).toBe('');
      expect(hasOpen(second.child.pid as number, b)).toBe(false);
      await feed(first, a, rows('a'));
      expect((await first.exited).code, first.output.stderr).toBe(0);
      expect(emailsIn(ws.data)).toEqual(['a1@example.com', 'a2@example.com', 'a3@example.com']);
    } finally {
      kill([first, second]);
    }
  }, 180_000);
});
