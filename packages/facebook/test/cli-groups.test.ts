import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { cli, readReport, tempDir } from '../../cli/test/cli-helpers';

/** #12: a configured audience name that several audiences have refuses the run, naming the ids (through the CLI, against the emulator). */
describe('syncmodes sync --to facebook with two audiences of one name (#12)', () => {
  it('refuses with ambiguous_group naming both ids; nothing is added to either', async () => {
    const dir = tempDir();
    const seed = join(dir, 'seed.json');
    // Meta lets an ad account hold several audiences with one name (names are not keys):
    // https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences
    writeFileSync(seed, JSON.stringify({ audiences: [{ id: '111', name: 'VIP', accountId: 'act_123' }, { id: '222', name: 'VIP', accountId: 'act_123' }] }));
    const source = join(dir, 'people.csv');
    writeFileSync(source, 'Id,Email\n1,a@example.com\n2,b@example.com\n');
    const report = join(dir, 'report.json');
    for (const mode of ['additive', 'sync']) {
      const out = await cli(['sync', '--to', 'facebook', '--emulator', '--emulator-seed', seed, '--mode', mode, '--option', 'adAccountId=act_123', '--option', 'audience=VIP', '--from', source, '--id', 'Id', '--map', 'EMAIL=Email', '--state-dir', join(dir, `state-${mode}`), '--report', report]);
      // The kit's start-of-run group check refuses before anything is sent: a configuration to fix (exit 2).
      expect(out.code, out.stderr).toBe(2);
      expect(out.stdout + out.stderr).toMatch(/ambiguous_group/);
      expect(out.stdout + out.stderr).toMatch(/"VIP" \(111, 222\)/);
      expect(readReport(report)).toMatchObject({ records: [], status: 'error', error: { code: 'ambiguous_group' }, complete: false });
      const saved = JSON.parse(readFileSync(join(dir, `state-${mode}`, 'emulators', 'facebook.json'), 'utf8')) as FacebookEmulatorData;
      expect(saved.audiences.map((a) => [a.id, a.name, a.size])).toEqual([
        ['111', 'VIP', 0],
        ['222', 'VIP', 0],
      ]);
    }
  }, 60_000);

  it('an audience pinned by id is used even when its name is shared', async () => {
    const dir = tempDir();
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ audiences: [{ id: '111', name: 'VIP', accountId: 'act_123' }, { id: '222', name: 'VIP', accountId: 'act_123' }] }));
    const source = join(dir, 'people.csv');
    writeFileSync(source, 'Id,Email\n1,a@example.com\n');
    const out = await cli(['sync', '--to', 'facebook', '--emulator', '--emulator-seed', seed, '--option', 'adAccountId=act_123', '--option', 'audience=222', '--from', source, '--id', 'Id', '--map', 'EMAIL=Email', '--state-dir', join(dir, 'state')]);
    expect(out.code, out.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(dir, 'state', 'emulators', 'facebook.json'), 'utf8')) as FacebookEmulatorData;
    expect(saved.audiences.map((a) => [a.id, a.size])).toEqual([
      ['111', 0],
      ['222', 1],
    ]);
  }, 60_000);
});
