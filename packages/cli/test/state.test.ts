import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SyncListing } from '@syncmodes/connector-kit';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeError, stateError } from '../src/index';
import { startBin, until } from './bin-process';
import { cli, cliWith, readReport, tempDir } from './cli-helpers';
import { useEmulator, useSourceFile } from './fixtures/per-test';

const CSV = 'Customer Id,Email,Last Name\nA1,ada@example.com,Lovelace\nB2,alan@example.com,Turing\n';
const MAP = ['--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name'];

describe('syncmodes state list | show | forget', () => {
  let dir: string;
  let stateDir: string;
  let file: string;
  const sync = (extra: string[] = []) => cli(['sync', '--to', 'salesforce', '--emulator', '--state-dir', stateDir, '--from', file, ...MAP, ...extra]);
  beforeEach(async () => {
    dir = tempDir();
    stateDir = join(dir, 's');
    file = join(dir, 'customers.csv');
    writeFileSync(file, CSV);
    expect((await sync()).code).toBe(0);
    expect((await sync(['--sync-name', 'second-feed'])).code).toBe(0);
  });

  it('lists every sync with its name, id, destination, identity, records, owned and when it was last written', async () => {
    const out = await cli(['state', 'list', '--state-dir', stateDir]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/customers +│ [0-9a-f]{16} │ salesforce +│ instanceUrl=emulator:salesforce, object=Contact/);
    expect(out.stdout).toMatch(/second-feed +│ [0-9a-f]{16} │ salesforce/);
    expect(out.stdout).toMatch(/│ +2 │ +2 │ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
    const json = await cli(['state', 'list', '--state-dir', stateDir, '--json']);
    const syncs = JSON.parse(json.stdout) as SyncListing[];
    expect(syncs.map((s) => [s.name, s.destination, s.records, s.owned]).sort()).toEqual([
      ['customers', 'salesforce', 2, 2],
      ['second-feed', 'salesforce', 2, 0],
    ]);
  });

  it('state list, state show and runs read a state whose folder and file cannot be written (trial 19b F9: state_unwritable, exit 3); state forget is refused; runs with no state creates none', async () => {
    chmodSync(dir, 0o755);
    chmodSync(join(stateDir, 'state.sqlite'), 0o444);
    chmodSync(stateDir, 0o555);
    try {
      const run = async (args: string[]) => {
        const bin = startBin(args, { unprivileged: true, cwd: dir });
        return { ...(await bin.exited), ...bin.output };
      };
      const list = await run(['state', 'list', '--state-dir', stateDir]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/customers +│ [0-9a-f]{16} │ salesforce/);
      const show = await run(['state', 'show', 'second-feed', '--state-dir', stateDir]);
      expect(show.code, show.stderr).toBe(0);
      expect(show.stdout).toContain('records      2 in state');
      const runs = await run(['runs', '--state-dir', stateDir, '--json']);
      expect(runs.code, runs.stderr).toBe(0);
      expect((JSON.parse(runs.stdout) as unknown[]).length).toBe(2);
      const forget = await run(['state', 'forget', 'customers', '--yes', '--state-dir', stateDir]);
      expect(forget.code).toBe(3);
      expect(forget.stderr).toMatch(/^error \(state_unwritable\)/);
    } finally {
      chmodSync(stateDir, 0o755);
    }
    expect(readdirSync(stateDir).filter((f) => f.startsWith('state.sqlite')).sort()).toEqual(['state.sqlite']);
    const none = join(dir, 'none');
    const empty = await cli(['runs', '--state-dir', none]);
    expect(empty.code).toBe(0);
    expect(existsSync(none)).toBe(false);
  }, 60_000);

  it('--json: a state that cannot be read is one JSON error object on stdout too, for state list, state show and runs (19b F9: stdout stayed empty)', async () => {
    for (const args of [['state', 'list'], ['state', 'show', 'customers'], ['runs']]) {
      const out = await cli([...args, '--json', '--state-dir', file]);
      expect(out.code, args.join(' ')).toBe(2);
      expect(JSON.parse(out.stdout), args.join(' ')).toMatchObject({ exitCode: 2, status: 'error', error: { code: 'state_unreadable' } });
    }
  });

  it('shows one sync by name, by id and by a unique id prefix', async () => {
    const syncs = JSON.parse((await cli(['state', 'list', '--state-dir', stateDir, '--json'])).stdout) as SyncListing[];
    const customers = syncs.find((s) => s.name === 'customers') as SyncListing;
    for (const ref of ['customers', customers.syncId, customers.syncId.slice(0, 6)]) {
      const out = await cli(['state', 'show', ref, '--state-dir', stateDir]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain(`id           ${customers.syncId}`);
      expect(out.stdout).toMatch(/owned +2 created by this sync/);
    }
    const json = JSON.parse((await cli(['state', 'show', 'customers', '--state-dir', stateDir, '--json'])).stdout) as SyncListing;
    expect(json).toMatchObject({ name: 'customers', records: 2, owned: 2, departed: 0, pending: 0, notFound: 0 });
  });

  it('an unknown or ambiguous reference is a usage error naming the syncs there are', async () => {
    const unknown = await cli(['state', 'show', 'nope', '--state-dir', stateDir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error \(unknown_sync\): No sync "nope".*customers, salesforce/);
    const ambiguous = await cli(['state', 'show', '', '--state-dir', stateDir]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('error (ambiguous_sync)');
  });

  it('forget refuses without --yes when stdin is not a terminal, and changes nothing', async () => {
    const out = await cliWith(['state', 'forget', 'customers', '--state-dir', stateDir], { stdinTTY: false });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('error (confirmation_required)');
    expect(JSON.parse((await cli(['state', 'list', '--state-dir', stateDir, '--json'])).stdout)).toHaveLength(2);
  });

  it('forget asks on a terminal: "n" keeps the sync, "y" forgets it', async () => {
    const no = await cliWith(['state', 'forget', 'customers', '--state-dir', stateDir], { stdinTTY: true, stdin: 'n\n' });
    expect(no.code).toBe(0);
    expect(no.stderr).toMatch(/Forget sync "customers" \([0-9a-f]{16}, salesforce: 2 records, 2 owned\)\? .*\[y\/N\]/);
    expect(no.stderr).toContain('Nothing forgotten.');
    expect(JSON.parse((await cli(['state', 'list', '--state-dir', stateDir, '--json'])).stdout)).toHaveLength(2);
    const yes = await cliWith(['state', 'forget', 'customers', '--state-dir', stateDir], { stdinTTY: true, stdin: 'y\n' });
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/Forgot sync "customers" .*: 2 entries removed/);
    const left = JSON.parse((await cli(['state', 'list', '--state-dir', stateDir, '--json'])).stdout) as SyncListing[];
    expect(left.map((s) => s.name)).toEqual(['second-feed']);
  });

  it('after forget --yes the next run owns nothing: the records are found and updated, not created again', async () => {
    expect((await cli(['state', 'forget', 'customers', '--yes', '--state-dir', stateDir])).code).toBe(0);
    const again = await cli(['sync', '--to', 'salesforce', '--emulator', '--state-dir', stateDir, '--from', file, ...MAP, '--json']);
    const counts = (JSON.parse(again.stdout) as { counts: Record<string, number> }).counts;
    expect(counts).toMatchObject({ created: 0, failed: 0 });
    expect((counts.updated ?? 0) + (counts.unchanged ?? 0)).toBe(2);
    const data = JSON.parse(readFileSync(join(stateDir, 'emulators', 'salesforce.json'), 'utf8')) as { Contact: unknown[] };
    expect(data.Contact).toHaveLength(2);
    const show = JSON.parse((await cli(['state', 'show', 'customers', '--state-dir', stateDir, '--json'])).stdout) as SyncListing;
    expect(show.owned).toBe(0);
  });

  it('sync mode never deletes a Contact the other sync of the state folder has in its source: tracked_elsewhere, kept (issue 17, trial 19a F5)', async () => {
    // "customers" created both Contacts; "second-feed" matched them. Ada leaves "customers"' source only.
    writeFileSync(file, 'Customer Id,Email,Last Name\nB2,alan@example.com,Turing\n');
    const report = join(dir, 'r.json');
    const out = await sync(['--mode', 'sync', '--allow-deletes', '10', '--json', '--report', report]);
    expect(out.code).toBe(0);
    const entries = readReport(report).records.filter((r) => r.id === 'A1');
    expect(entries.map((r) => [r.outcome, r.code])).toEqual([['skipped', 'tracked_elsewhere']]);
    expect(entries[0]?.message).toMatch(/sync "second-feed" sharing this state has record 003\w+ in its source/);
    const data = JSON.parse(readFileSync(join(stateDir, 'emulators', 'salesforce.json'), 'utf8')) as { Contact: { Email: string; IsDeleted?: boolean }[] };
    expect(data.Contact.filter((c) => !c.IsDeleted).map((c) => c.Email).sort()).toEqual(['ada@example.com', 'alan@example.com']);
  });

  it('a folder without state lists no syncs and creates nothing', async () => {
    const empty = join(dir, 'empty');
    const out = await cli(['state', 'list', '--state-dir', empty]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('No syncs in');
    expect(existsSync(empty)).toBe(false);
  });
});

describe('a state store that cannot be used (issue 17, item 6)', () => {
  const source = useSourceFile('people.csv', CSV);
  const sync = (stateDir: string, extra: string[] = []) => cli(['sync', '--to', 'salesforce', '--emulator', '--state-dir', stateDir, '--from', source.file, ...MAP, ...extra]);

  it.each([
    ['--state-dir is a file', (s: string) => writeFileSync(s, 'not a folder'), /--state-dir ".*" is a file, not a folder/],
    ['an empty (0-byte) state file', (s: string) => (mkdirSync(s), writeFileSync(join(s, 'state.sqlite'), '')), /is empty \(0 bytes\)/],
    ['a state file of another format', (s: string) => (mkdirSync(s), writeFileSync(join(s, 'state.sqlite'), 'id,name\n1,x\n'.repeat(200))), /is not a (readable )?syncmodes state store \((file is not a database|SQLITE_NOTADB)\)/],
    ['a folder where the state file should be', (s: string) => mkdirSync(join(s, 'state.sqlite'), { recursive: true }), /is a folder/],
  ])('%s: one clean line (no stack trace), exit 2, refused before the emulator starts or anything is sent', async (_name, make, message) => {
    const stateDir = join(source.dir, 's');
    make(stateDir);
    const out = await sync(stateDir);
    expect(out.code).toBe(2);
    expect(out.stderr.trim().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/^error \(state_unreadable\): /);
    expect(out.stderr).toMatch(message);
    expect(out.stderr).toContain('--reset-state');
    expect(out.stderr).not.toMatch(/\n\s+at /);
  });

  it('--state-dir under a file (people.csv/state): the path is unusable, so the advice is another --state-dir, not --reset-state (which could not help); the same with --reset-state and for check --emulator; exit 2', async () => {
    const stateDir = join(source.file, 'state');
    const message = `error (invalid_arguments): --state-dir "${stateDir}" cannot hold the state: "${source.file}" is a file, not a folder, so no folder can be made there. Nothing was sent. Give --state-dir a folder, or a path where one can be created (the one your syncs use).\n`;
    for (const extra of [[], ['--reset-state']]) {
      const out = await sync(stateDir, extra);
      expect(out.code).toBe(2);
      expect(out.stderr).toBe(message);
    }
    const check = await cli(['check', '--to', 'salesforce', '--emulator', '--state-dir', stateDir, '--map', 'Email=Email']);
    expect(check.code).toBe(2);
    expect(check.stderr).toBe(message.replace('Nothing was sent.', 'Nothing was checked.'));
    expect(readdirSync(source.dir)).toEqual(['people.csv']);
  });

  it('a truncated state file is refused, then --reset-state moves it aside, says so, and the sync starts over', async () => {
    const stateDir = join(source.dir, 's');
    expect((await sync(stateDir)).code).toBe(0);
    const path = join(stateDir, 'state.sqlite');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, 100));
    for (const f of readdirSync(stateDir)) if (f.endsWith('-wal') || f.endsWith('-shm')) writeFileSync(join(stateDir, f), '');
    const refused = await sync(stateDir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error \(state_unreadable\)/);
    const reset = await sync(stateDir, ['--reset-state', '--json']);
    expect(reset.code).toBe(0);
    expect(reset.stderr).toMatch(/--reset-state: moved ".*state\.sqlite" aside to ".*state\.sqlite\.bad-\d{8}T\d{6}Z"/);
    expect(readdirSync(stateDir).some((f) => /^state\.sqlite\.bad-\d{8}T\d{6}Z$/.test(f))).toBe(true);
    const counts = (JSON.parse(reset.stdout) as { counts: Record<string, number> }).counts;
    expect(counts).toMatchObject({ created: 0, failed: 0 });
    expect((counts.updated ?? 0) + (counts.unchanged ?? 0)).toBe(2);
    const data = JSON.parse(readFileSync(join(stateDir, 'emulators', 'salesforce.json'), 'utf8')) as { Contact: unknown[] };
    expect(data.Contact).toHaveLength(2);
  });

  it('--reset-state with --state-dir pointing at a file refuses and moves nothing (second trial of stop 26: it renamed a source file given as --state-dir); the state file itself given as --state-dir names its folder', async () => {
    const stateDir = join(source.dir, 's');
    writeFileSync(stateDir, 'oops');
    const out = await sync(stateDir, ['--reset-state']);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(`error (state_unreadable): --state-dir "${stateDir}" is a file, not a folder. Nothing was sent. Give --state-dir the folder that holds the state (state.sqlite); --reset-state does not move this file.\n`);
    expect(readFileSync(stateDir, 'utf8')).toBe('oops');
    const folder = join(source.dir, 'st');
    expect((await sync(folder)).code).toBe(0);
    const given = join(folder, 'state.sqlite');
    const again = await sync(given, ['--reset-state']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`If it is the state file, give its folder: --state-dir "${folder}".`);
    expect(readdirSync(folder).filter((f) => f.includes('.bad-'))).toEqual([]);
    expect(readdirSync(source.dir).filter((f) => f.includes('.bad-'))).toEqual([]);
  });

  it('a state folder that cannot be written (read-only): state_unwritable, exit 3 — or, as root, the run goes through', async () => {
    const stateDir = join(source.dir, 'ro');
    mkdirSync(stateDir);
    chmodSync(stateDir, 0o555);
    const out = await sync(stateDir);
    // root ignores permission bits: the store opens and the run completes.
    if (process.getuid?.() === 0) expect(out.code).toBe(0);
    else {
      expect(out.code).toBe(3);
      expect(out.stderr).toMatch(/^error \(state_unwritable\)/);
    }
    chmodSync(stateDir, 0o755);
  });

  it('raw store errors map to the two codes; other errors are left alone', () => {
    const raw = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(stateError(raw('SQLITE_NOTADB', 'file is not a database'), 's.sqlite')?.code).toBe('state_unreadable');
    expect(stateError(raw('SQLITE_CORRUPT', 'database disk image is malformed'), 's.sqlite')?.code).toBe('state_unreadable');
    expect(stateError(raw('SQLITE_READONLY', 'attempt to write a readonly database'), 's.sqlite')?.code).toBe('state_unwritable');
    expect(stateError(raw('SQLITE_FULL', 'database or disk is full'), 's.sqlite')?.code).toBe('state_unwritable');
    expect(stateError(raw('SQLITE_CANTOPEN', 'unable to open database file'), 's.sqlite')?.code).toBe('state_unwritable');
    expect(stateError(raw('EACCES', 'permission denied'), 's.sqlite')?.code).toBe('state_unwritable');
    expect(stateError(raw('ECONNRESET', 'socket hang up'), 's.sqlite')).toBeUndefined();
  });

  it('a raw file-system error that stops a command names its own file, never a placeholder (first trial of stop 26: `The state in "the state file"`)', () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC', path: '/data/st/emulators/salesforce.lock' });
    expect(describeError(full)).toMatchObject({ code: 'state_unwritable', exitCode: 3, message: expect.stringContaining('"/data/st/emulators/salesforce.lock" cannot be written') });
    const sqlite = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    expect(describeError(sqlite).message).toMatch(/^The state in "the state folder" cannot be written/);
  });
});

describe('an invalid YAML config file (issue 17, item 7)', () => {
  it('names the file, the line, the column and the error kind, and never shows its content', async () => {
    const dir = tempDir();
    const config = join(dir, 'sync.yaml');
    const secretLine = 'password: hunter2-SECRET';
    writeFileSync(config, ['to: salesforce', 'map:', '  Email: Email', '   bad: [x', secretLine].join('\n'));
    const out = await cli(['sync', '--config', config]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/error \(config_file\): Config file ".*sync\.yaml" is not valid YAML: [a-z ]+ \([A-Z_]+\) at line \d+, column \d+\./);
    expect(out.stderr).not.toContain('hunter2');
    expect(out.stderr).not.toContain('Email: Email');
    const alias = join(dir, 'alias.yaml');
    writeFileSync(alias, 'to: *SECRETALIAS\n');
    const aliased = await cli(['sync', '--config', alias]);
    expect(aliased.code).toBe(2);
    expect(aliased.stderr).not.toContain('SECRETALIAS');
  });
});

describe('a --config file that is not a sync config (trial 20b N10, N11)', () => {
  it('lines that are not setting names are never shown: only names that look like settings, and how many others', async () => {
    const dir = tempDir();
    const config = join(dir, 'shadowlike');
    writeFileSync(config, 'root:$6$rounds=5000$SALTsalt$HASHhashSECRET0123456789:19000:0:99999:7:::\nsvc-token:ghp_SECRETtoken0123456789:\nbogus: 1\n');
    const out = await cli(['sync', '--config', config]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('error (invalid_arguments): Unknown setting(s) "bogus", 2 more that do not look like setting names (not shown: they may hold secrets) in ');
    expect(out.stderr).not.toMatch(/SECRET|ghp_/);
  });

  it('a setting of the wrong type is said to be of the wrong type, not missing, and its value is not shown (trial 20b N12)', async () => {
    const dir = tempDir();
    const config = join(dir, 'sync.yaml');
    writeFileSync(config, 'to: salesforce\nfrom: a.csv\nid: id\nmap:\n  Email: email\nkeepRuns: SUPERSECRET_abc\n');
    const out = await cli(['sync', '--config', config]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/error \(invalid_arguments\): --keep-runs: .*expected number, received string/);
    expect(out.stderr).not.toMatch(/required|SUPERSECRET/);
  });

  it('/dev/zero, or a file over 1 MiB: config_file at once, nothing read past the limit', async () => {
    const dir = tempDir();
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `to: salesforce\n# ${'x'.repeat(1024 * 1024)}\n`);
    for (const path of ['/dev/zero', big]) {
      const out = await cli(['sync', '--config', path]);
      expect(out.code).toBe(2);
      expect(out.stderr).toBe(`error (config_file): Config file "${path}" is larger than 1,048,576 bytes: not a sync config (settings take a few hundred).\n`);
    }
  });
});

describe('exit codes of a report', () => {
  it('stopped by an unreadable state store: 2; unwritable: 3; interrupted: 130', async () => {
    const { exitCodeOf } = await import('../src/index');
    const report = (code: string) => ({ status: 'stopped', reason: { code, message: '' }, counts: { failed: 0 } }) as unknown as Parameters<typeof exitCodeOf>[0];
    expect(exitCodeOf(report('state_unreadable'))).toBe(2);
    expect(exitCodeOf(report('state_unwritable'))).toBe(3);
    expect(exitCodeOf(report('interrupted'))).toBe(130);
    expect(exitCodeOf(report('rate_limited'))).toBe(3);
  });
});

/** Who holds a lease in the state file now ('' when none). */
function leaseHolder(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return (db.prepare("SELECT holder FROM leases WHERE holder <> '' AND expires_at > ?").get(Date.now()) as { holder: string } | undefined)?.holder ?? '';
  } finally {
    db.close();
  }
}

describe('syncmodes state forget on a sync that is running (hostile trial, item 3)', () => {
  it('is refused with sync_running, exit 3: names the sync, the holder and since when as the lease records them, and what to do', async () => {
    const emulator = createSalesforceEmulator();
    const url = await emulator.start();
    const dir = tempDir();
    const stateDir = join(dir, 's');
    const file = join(dir, 'customers.csv');
    writeFileSync(file, CSV);
    const argv = ['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--state-dir', stateDir, '--from', file, ...MAP];
    const env = { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN };
    try {
      expect((await cliWith(argv, { env })).code).toBe(0); // the sync is now known to the state
      // The second run is a real process with a change to send, whose every call is answered after 4 s: it holds
      // the lease meanwhile (an unchanged rerun sent nothing and could finish before forget looked, under load).
      writeFileSync(file, CSV.replace('Turing', 'Turing-Changed'));
      emulator.setFaults([{ kind: 'latency', latencyMs: 4_000, every: 1 }]);
      emulator.clearRequests();
      const started = Date.now();
      const running = startBin(argv, { env });
      await until(() => leaseHolder(join(stateDir, 'state.sqlite')) !== '' || running.child.exitCode !== null, 60_000, 'the second run to take the lease');
      const out = await cliWith(['state', 'forget', 'customers', '--state-dir', stateDir, '--yes']);
      expect(out.code).toBe(3);
      expect(out.stdout).toBe('');
      const line = out.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toMatch(/^error \(sync_running\): Sync "customers" \([0-9a-f]{16}, salesforce: 2 records, 2 owned\) is running, so it was not forgotten: a run holds its lease/);
      expect(line).toContain(`holder ${hostname()}:${running.child.pid}:`);
      expect(line).toContain(`(process ${running.child.pid} on this machine)`);
      const since = Date.parse(`${/since (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/.exec(line)?.[1]?.replace(' ', 'T')}Z`);
      expect(Math.abs(since - started)).toBeLessThan(60_000);
      expect(line).toContain(`Wait for that run to finish, or stop it (Ctrl-C where it runs, or kill ${running.child.pid}), then run \`syncmodes state forget\` again.`);
      expect(line).toMatch(/If that run was killed, its lease runs out at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(its time to live\) and forget works from then on\.$/);
      expect(line).not.toContain('retries');
      expect((await running.exited).code).toBe(0);
      // The run finished and released its lease: now the sync is forgotten.
      const after = await cliWith(['state', 'forget', 'customers', '--state-dir', stateDir, '--yes']);
      expect(after.code).toBe(0);
      expect(after.stdout).toContain('Forgot sync "customers"');
    } finally {
      await emulator.stop();
    }
  }, 120_000);
});

describe('--reset-state on a sync that is running (hostile trial, issue 17)', () => {
  const sf = useEmulator(createSalesforceEmulator);
  const source = useSourceFile('people.csv', CSV);
  /** Who holds a lease in the state file now ('' when none, or no state file yet). */
  const holderIn = (stateDir: string) => {
    try {
      return leaseHolder(join(stateDir, 'state.sqlite'));
    } catch {
      return '';
    }
  };

  it('takes the same lease as sync: refused with sync_running (exit 3) while a run holds it, nothing moved or sent; once that run is gone, it moves the state aside and the sync starts over without duplicates', async () => {
    const stateDir = join(source.dir, 's');
    const argv = ['sync', '--to', 'salesforce', '--option', `instanceUrl=${sf.url}`, '--state-dir', stateDir, '--from', source.file, ...MAP, '--no-progress'];
    const env = { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN };
    // The first run's create call is held for a minute: the run holds its lease all that time.
    sf.emulator.setFaults([{ kind: 'latency', latencyMs: 60_000, method: 'POST', every: 1, times: 1 }]);
    const running = startBin(argv, { env });
    try {
      await until(() => holderIn(stateDir) !== '' || running.child.exitCode !== null, 60_000, 'the first run to take the lease');
      const refused = await cliWith([...argv, '--reset-state'], { env });
      expect(refused.code, refused.stderr).toBe(3);
      expect(refused.stdout).toBe('');
      const line = refused.stderr.trim();
      expect(line.split('\n')).toHaveLength(1);
      expect(line).toMatch(/^error \(sync_running\): Sync "people" \([0-9a-f]{16}, salesforce: \d+ records, \d+ owned\) is running, so its state file was not moved aside \(--reset-state\): a run holds its lease/);
      expect(line).toContain(`(process ${running.child.pid} on this machine)`);
      expect(line).toContain(`Wait for that run to finish, or stop it (Ctrl-C where it runs, or kill ${running.child.pid}), then run with --reset-state again.`);
      expect(readdirSync(stateDir).filter((f) => f.includes('.bad-'))).toEqual([]);
      expect(holderIn(stateDir)).toContain(`:${running.child.pid}:`);
      // Nothing was created: the first run's create call is still held, and the refused reset sent nothing.
      expect(sf.emulator.org.all('Contact')).toEqual([]);
    } finally {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    // The killed run's lease is stale at once on this machine: the reset takes it over and moves the file aside.
    sf.emulator.setFaults([]);
    const reset = await cliWith([...argv, '--reset-state', '--json'], { env });
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stderr).toMatch(/--reset-state: moved ".*state\.sqlite" aside to ".*state\.sqlite\.bad-\d{8}T\d{6}Z"/);
    expect(sf.emulator.org.all('Contact').map((c) => c.LastName).sort()).toEqual(['Lovelace', 'Turing']);
  }, 120_000);
});
