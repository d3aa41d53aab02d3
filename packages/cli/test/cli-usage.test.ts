import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { describe, expect, it } from 'vitest';
import { cli, readReport } from './cli-helpers';
import { useEmulator, useSourceFile, withEmulatorCommand } from './fixtures/per-test';

const CSV = 'Customer Id,Email,First Name,Last Name,Segments\nA1,ada@example.com,Ada,Lovelace,vip;newsletter\nB2,alan@example.com,Alan,Turing,newsletter\n';

describe('syncmodes command line', () => {
  const source = useSourceFile('people.csv', CSV);

  it('prints help for the program and for sync, exit 0', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/sync \[options\][\s\S]*emulator[\s\S]*destinations/);
    const sync = await cli(['sync', '--help']);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain('--allow-deletes <n>');
    expect(sync.stdout).toContain('Exit codes: 0 ok');
  });

  it('prints the version of the CLI, then of every built-in destination package, one per line (versions move with changesets)', async () => {
    const version = (pkg: string) => (JSON.parse(readFileSync(new URL(`../../${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
    const out = await cli(['--version']);
    expect(out.code).toBe(0);
    expect(out.stdout.trim().split('\n')).toEqual([
      `@syncmodes/cli ${version('cli')}`,
      `@syncmodes/salesforce ${version('salesforce')}`,
      `@syncmodes/intercom ${version('intercom')}`,
      `@syncmodes/onesignal ${version('onesignal')}`,
      `@syncmodes/facebook ${version('facebook')}`,
    ]);
  });

  it('lists destinations with their modes and default', async () => {
    const out = await cli(['destinations']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/salesforce.*sync, additive\*, enrich/);
    expect(out.stdout).toMatch(/^\* default sync mode/m);
    expect(out.stdout).toContain('$SALESFORCE_ACCESS_TOKEN');
  });

  it.each([
    [['sync', '--to', 'hubspot', '--from', 'x.csv', '--id', 'Id', '--map', 'a=b'], /Unknown destination "hubspot". Known destinations: salesforce, intercom, onesignal, facebook/],
    [['sync', '--to', 'salesforce', '--id', 'Id', '--map', 'Email=Email'], /--from is required/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Customer Id', '--map', 'Email'], /--map expects field=column: the 1st --map has no "="/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Customer Id', '--map', 'Email=Email', '--mode', 'mirror', '--emulator'], /does not support sync mode "mirror". Supported modes: sync, additive, enrich/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Customer Id', '--map', 'Email=Email', '--option', 'instanceUrl=https://x.example'], /set the SALESFORCE_ACCESS_TOKEN environment variable/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Customer Id', '--map', 'Email=Email', '--option', 'accessToken=abc'], /"accessToken" is a secret: set it in the SALESFORCE_ACCESS_TOKEN environment variable/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Customer Id', '--map', 'Email=Email', '--option', 'colour=blue', '--emulator'], /Salesforce has no option "colour"/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Nope', '--map', 'Email=Email', '--emulator'], /The source has no column "Nope". Columns found: "Customer Id", "Email"/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Customer Id', '--map', 'Email=Email', '--emulator', '--allow-deletes', 'many'], /--allow-deletes.*whole number/],
    [['sync', '--to', 'salesforce', '--from', 'FILE', '--id', 'Customer Id', '--map', 'LastName=Email', '--emulator'], /None of the 2 records has a value for Email, and Salesforce matches records by it: map a source column to it .*The records have: LastName\./],
  ])('usage errors exit 2 with a clear message: %j', async (argv, message) => {
    const out = await cli([...argv.map((a) => (a === 'FILE' ? source.file : a)), '--state-dir', join(source.dir, 's')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('a malformed --option / --map / --group-id names the flag and which one it is, never its text (it may hold a secret value), exit 2', async () => {
    const base = ['sync', '--to', 'salesforce', '--emulator', '--from', source.file, '--id', 'Customer Id', '--map', 'Email=Email', '--state-dir', join(source.dir, 's')];
    for (const [argv, message] of [
      [['--option', 'object=Contact', '--option', 'accessToken:SECRET-0f3c'], 'invalid_pair): --option expects key=value: the 2nd --option has no "=" (it is not shown: it may hold a secret value).'],
      [['--option', '=SECRET-0f3c'], 'invalid_pair): --option expects key=value: the 1st --option has no key before "=".'],
      [['--group-id', 'vip SECRET-0f3c'], 'invalid_pair): --group-id expects name=id: the 1st --group-id has no "=" (it is not shown: it may hold a secret value).'],
    ] as const) {
      for (const json of [[], ['--json']]) {
        const out = await cli([...base, ...argv, ...json]);
        expect(out.code).toBe(2);
        expect(out.stdout + out.stderr).not.toContain('SECRET-0f3c');
        expect(out.stderr).toContain(message);
      }
    }
  });

  it('runs from a YAML config file, with flags overriding it, against the in-process emulator', async () => {
    const config = join(source.dir, 'sync.yaml');
    writeFileSync(
      config,
      ['to: salesforce', 'mode: enrich', 'from: people.csv', 'id: Customer Id', 'map:', '  Email: Email', '  FirstName: First Name', '  LastName: Last Name', 'groups: Segments', 'emulator: true', 'stateDir: state', 'report: report.json'].join('\n'),
    );
    const out = await cli(['sync', '--config', config, '--mode', 'additive']);
    expect(out.code).toBe(0);
    const report = readReport(join(source.dir, 'report.json'));
    expect(report).toMatchObject({ mode: 'additive', counts: { created: 2 } });
    const persisted = JSON.parse(readFileSync(join(source.dir, 'state', 'emulators', 'salesforce.json'), 'utf8')) as { Campaign: { Name: string }[]; CampaignMember: unknown[] };
    expect(persisted.Campaign.map((c) => c.Name).sort()).toEqual(['newsletter', 'vip']);
    expect(persisted.CampaignMember).toHaveLength(3);
    const again = await cli(['sync', '--config', config, '--mode', 'additive']);
    expect(again.code).toBe(0);
    expect(readReport(join(source.dir, 'report.json')).counts.unchanged).toBe(2);
  });

  it('a dry run plans with reasons and sends nothing', async () => {
    const out = await cli(['sync', '--to', 'salesforce', '--emulator', '--from', source.file, '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name', '--dry-run', '--report', join(source.dir, 'plan.json'), '--state-dir', join(source.dir, 's')]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('DRY RUN (nothing sent)');
    const plan = readReport(join(source.dir, 'plan.json'));
    expect(plan.records.map((r) => [r.action, r.message])).toEqual([
      ['create', 'Would: No Email match in Salesforce; created.'],
      ['create', 'Would: No Email match in Salesforce; created.'],
    ]);
    const dataFile = join(source.dir, 's', 'emulators', 'salesforce.json');
    const contacts = existsSync(dataFile) ? (JSON.parse(readFileSync(dataFile, 'utf8')) as { Contact: unknown[] }).Contact : [];
    expect(contacts).toEqual([]);
  });

  describe('with a standalone emulator', () => {
    const sf = useEmulator(createSalesforceEmulator);

    it('never prints or reports the access token, even when it is refused (exit 3)', async () => {
      const sentinel = 'SENTINEL-7f3a9c-never-print-me';
      const report = join(source.dir, 'report.json');
      const out = await cli(
        ['sync', '--to', 'salesforce', '--option', `instanceUrl=${sf.url}`, '--from', source.file, '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name', '--report', report, '--state-dir', join(source.dir, 's'), '--log-level', 'debug'],
        { SALESFORCE_ACCESS_TOKEN: sentinel },
      );
      expect(out.code).toBe(3);
      expect(out.stdout).toContain('STOPPED (authentication_failed)');
      for (const text of [out.stdout, out.stderr, readFileSync(report, 'utf8')]) expect(text).not.toContain(sentinel);
      expect(readReport(report).records.map((r) => r.code)).toEqual(['not_sent', 'not_sent']);
    });
  });

  it('the emulator command answers the REST API while running', async () => {
    const seed = join(source.dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ Contact: [{ LastName: 'Seeded', Email: 'seeded@example.com' }] }));
    const code = await withEmulatorCommand(['salesforce', '--seed', seed], async (url, printed) => {
      const records = await new EmulatorClient(url).records<{ Contact: { Email: string }[] }>();
      expect(records.Contact.map((c) => c.Email)).toEqual(['seeded@example.com']);
      expect(printed).toContain(`SALESFORCE_ACCESS_TOKEN=${EMULATOR_ACCESS_TOKEN} syncmodes sync --to salesforce --option instanceUrl=${url}`);
    });
    expect(code).toBe(0);
  });

  it('a seed file (emulator --seed, sync --emulator-seed) that is missing, a directory or not JSON: exit 2, invalid_seed, saying what is wrong (a new user saw the raw ENOENT text)', async () => {
    const notJson = join(source.dir, 'seed.txt');
    writeFileSync(notJson, 'Contact: []');
    const env = join(source.dir, 'seed.env');
    writeFileSync(env, 'SF_TOKEN=00Dsecret\n');
    const cases: [string, RegExp][] = [
      [join(source.dir, 'no-such-seed.json'), /no such file\. Give the path of a JSON seed file/],
      [source.dir, /it is a folder, not a file/],
      [join(source.file, 'seed.json'), /a part of the path before the file name is a file, not a folder/],
      [notJson, /it is not valid JSON/],
      [env, /it is not valid JSON\./],
    ];
    for (const [seed, said] of cases) {
      for (const args of [['emulator', 'salesforce', '--seed', seed], ['sync', '--to', 'salesforce', '--emulator', '--emulator-seed', seed, '--from', source.file, '--id', 'Customer Id', '--map', 'Email=Email', '--state-dir', source.dir]]) {
        const out = await cli(args);
        expect(out.code, args.join(' ')).toBe(2);
        expect(out.stderr).toMatch(said);
        expect(out.stderr).toContain('invalid_seed');
        expect(out.stderr).not.toMatch(/ENOENT|EISDIR|ENOTDIR|00Dsecret|SF_TOKEN/);
      }
    }
    // A seed without --emulator: refused before anything is sent (it was ignored, and the run went to the real destination).
    const seedFile = join(source.dir, 'bom-less.json');
    writeFileSync(seedFile, '{"Contact": []}');
    for (const verb of ['sync', 'check']) {
      const args = [verb, '--to', 'salesforce', '--option', 'instanceUrl=http://127.0.0.1:9', '--emulator-seed', seedFile, ...(verb === 'sync' ? ['--from', source.file, '--id', 'Customer Id', '--map', 'Email=Email', '--state-dir', source.dir] : [])];
      const out = await cli(args, { SALESFORCE_ACCESS_TOKEN: 'not-used' });
      expect(out.code, verb).toBe(2);
      expect(out.stderr).toMatch(/--emulator-seed .* seeds the local emulator: add --emulator/);
    }
    // A byte-order mark before the JSON is read past.
    const bom = join(source.dir, 'bom.json');
    writeFileSync(bom, `\uFEFF${JSON.stringify({ Contact: [{ LastName: 'Bom', Email: 'bom@example.com' }] })}`);
    const code = await withEmulatorCommand(['salesforce', '--seed', bom], async (url) => {
      const records = await new EmulatorClient(url).records<{ Contact: { Email: string }[] }>();
      expect(records.Contact.map((c) => c.Email)).toEqual(['bom@example.com']);
    });
    expect(code).toBe(0);
  });
});
