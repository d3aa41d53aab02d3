import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, readReport, tempDir } from './cli-helpers';

// Each `--emulator` run starts the Salesforce emulator again from its data file. A record the
// last run deleted must stay deleted under its id: its id is never issued to someone else
// (another sync, or this one's state, may still name it).

type Data = { Contact?: { Id: string; Email?: string }[]; RecycleBin?: { Id: string }[] };
const data = (state: string) => JSON.parse(readFileSync(join(state, 'emulators', 'salesforce.json'), 'utf8')) as Data;

describe('Salesforce emulator (--emulator): ids across runs', () => {
  it('never gives a new Contact the id of one a previous run deleted', async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const file = join(dir, 'people.csv');
    const report = join(dir, 'report.json');
    const run = (rows: string[], extra: string[] = []) => {
      writeFileSync(file, ['id,email,last', ...rows].join('\n') + '\n');
      return cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'sync', '--from', file, '--id', 'id', '--map', 'Email=email', '--map', 'LastName=last', '--state-dir', state, '--report', report, ...extra]);
    };

    expect((await run(['a,a@example.com,A', 'b,b@example.com,B'])).code).toBe(0);
    const b = data(state).Contact?.find((c) => c.Email === 'b@example.com')?.Id as string;
    expect(b).toMatch(/^003/);

    expect((await run(['a,a@example.com,A'], ['--allow-deletes', '1'])).code).toBe(0);
    expect(readReport(report).records.find((r) => r.id === 'b')?.outcome).toBe('deleted');
    expect(data(state).RecycleBin?.map((r) => r.Id)).toEqual([b]);

    expect((await run(['a,a@example.com,A', 'c,c@example.com,C'])).code).toBe(0);
    const contacts = data(state).Contact ?? [];
    const c = contacts.find((x) => x.Email === 'c@example.com')?.Id;
    expect(c).toMatch(/^003/);
    expect(c).not.toBe(b);
    expect(contacts.map((x) => x.Email).sort()).toEqual(['a@example.com', 'c@example.com']);
  });
});

describe('--emulator: a save cut short by a kill (trial of stop 24)', () => {
  it("the next run removes the killed process's <data>.<pid>.tmp, and keeps one of a process still running", async () => {
    const dir = tempDir();
    const state = join(dir, 'state');
    const emulators = join(state, 'emulators');
    mkdirSync(emulators, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid as number; // it has exited
    const stale = join(emulators, `salesforce.json.${deadPid}.tmp`);
    const live = join(emulators, `salesforce.json.${process.ppid}.tmp`); // a process that runs (this one saves under its own pid)
    writeFileSync(stale, '{"Contact":[');
    writeFileSync(live, '{}');
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'id,email,last\na,a@example.com,A\n');
    const run = await cli(['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', file, '--id', 'id', '--map', 'Email=email', '--map', 'LastName=last', '--state-dir', state]);
    expect(run.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
    expect(data(state).Contact?.map((c) => c.Email)).toEqual(['a@example.com']);
  });
});
