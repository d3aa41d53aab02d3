import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { createFacebookEmulator, EMULATOR_ACCESS_TOKEN, type FacebookEmulatorData } from '@syncmodes/facebook/emulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { cli, readReport, sharedDataFile, tempDir } from './cli-helpers';
import { useEmulator, withEmulatorCommand } from './fixtures/per-test';

const CUSTOMERS = sharedDataFile('customers-10000.csv');
const MAPPING = ['--id', 'Customer Id', '--map', 'EMAIL=Email', '--map', 'PHONE=Phone 1', '--map', 'FN=First Name', '--map', 'LN=Last Name', '--map', 'CT=City', '--map', 'COUNTRY=Country'];

describe('syncmodes with Facebook Custom Audiences', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir();
  });

  it('syncs customers-10000.csv into one audience with --emulator: one 10,000-row add; the rerun is unchanged', async () => {
    const report = join(dir, 'report.json');
    const argv = ['sync', '--to', 'facebook', '--emulator', '--option', 'adAccountId=act_123', '--option', 'audience=Customers', '--from', CUSTOMERS, ...MAPPING, '--state-dir', join(dir, 'state'), '--report', report];
    const first = await cli(argv);
    expect(first.code).toBe(0);
    // Country names with no ISO 3166 code are sent empty and reported (never personal values).
    expect(first.stderr).toMatch(/"unmappedCountries":\["Congo","Korea","Netherlands Antilles"\]/);
    expect(first.stderr).not.toMatch(/@/);
    const r = readReport(report);
    expect(r).toMatchObject({ destination: 'facebook', mode: 'additive', status: 'completed', counts: { created: 10_000, failed: 0 } });
    const saved = JSON.parse(readFileSync(join(dir, 'state', 'emulators', 'facebook.json'), 'utf8')) as FacebookEmulatorData;
    expect(saved.audiences.map((a) => [a.name, a.accountId, a.size])).toEqual([['Customers', 'act_123', 10_000]]);
    // The first row's American-style number is not possible in its COUNTRY (Norway): it is not sent.
    expect(saved.audiences[0]?.members[0]).toEqual({
      EMAIL: expect.stringMatching(/^[a-f0-9]{64}$/),
      FN: expect.stringMatching(/^[a-f0-9]{64}$/),
      LN: expect.stringMatching(/^[a-f0-9]{64}$/),
      CT: expect.stringMatching(/^[a-f0-9]{64}$/),
      COUNTRY: expect.stringMatching(/^[a-f0-9]{64}$/),
    });

    const again = await cli(argv);
    expect(again.code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ unchanged: 10_000, created: 0 });
  });

  it('refuses enrich at configuration time, naming the supported modes', async () => {
    const out = await cli(['sync', '--to', 'facebook', '--emulator', '--mode', 'enrich', '--from', CUSTOMERS, ...MAPPING, '--state-dir', join(dir, 's')]);
    expect(out.code).toBe(2);
    expect(out.stderr + out.stdout).toMatch(/does not support sync mode "enrich"\. Supported modes: sync, additive\./);
    expect(existsSync(join(dir, 's', 'emulators', 'facebook.json')) ? (JSON.parse(readFileSync(join(dir, 's', 'emulators', 'facebook.json'), 'utf8')) as FacebookEmulatorData).audiences : []).toEqual([]);
  });

  it('lists facebook with its modes, default and token variable', async () => {
    const out = await cli(['destinations']);
    expect(out.stdout).toMatch(/facebook.*sync, additive\*/);
    expect(out.stdout).toContain('$FACEBOOK_ACCESS_TOKEN');
  });

  describe('against a running emulator, with the token from FACEBOOK_ACCESS_TOKEN', () => {
    const fb = useEmulator(createFacebookEmulator);

    it('names audiences from --groups, and never prints or reports a refused token (exit 3)', async () => {
      const file = join(dir, 'people.csv');
      writeFileSync(file, 'Id,Email,Phone,Lists\nA1,ada@example.com,+44 20 7946 0018,vip;newsletter\nB2,alan@example.com,,newsletter\n');
      const base = ['sync', '--to', 'facebook', '--option', 'adAccountId=act_123', '--option', `baseUrl=${fb.url}`, '--from', file, '--id', 'Id', '--map', 'EMAIL=Email', '--map', 'PHONE=Phone', '--groups', 'Lists', '--state-dir', join(dir, 's')];
      const ok = await cli(base, { FACEBOOK_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN });
      expect(ok.code).toBe(0);
      const data = await new EmulatorClient(fb.url).records<FacebookEmulatorData>();
      expect(data.audiences.map((a) => [a.name, a.size]).sort()).toEqual([
        ['newsletter', 2],
        ['vip', 1],
      ]);

      const sentinel = 'SENTINEL-fb-cli-never-print-me';
      const report = join(dir, 'refused.json');
      writeFileSync(file, 'Id,Email,Phone,Lists\nC3,grace@example.com,,vip\n');
      const refused = await cli([...base, '--report', report, '--log-level', 'debug'], { FACEBOOK_ACCESS_TOKEN: sentinel });
      expect(refused.code).toBe(3);
      expect(refused.stdout).toContain('STOPPED (authentication_failed)');
      for (const text of [refused.stdout, refused.stderr, readFileSync(report, 'utf8')]) expect(text).not.toContain(sentinel);
    });
  });

  it('the emulator command serves the Marketing API with a seed and prints how to point syncmodes at it', async () => {
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ audiences: [{ name: 'Seeded', members: [{ EXTERN_ID: 'C-1' }] }], settings: { lowAudienceSize: 100 } }));
    const code = await withEmulatorCommand(['facebook', '--seed', seed], async (url, printed) => {
      const records = await new EmulatorClient(url).records<FacebookEmulatorData>();
      expect(records.audiences.map((a) => [a.name, a.size])).toEqual([['Seeded', 1]]);
      const listed = (await (await fetch(`${url}/v24.0/act_1000/customaudiences?fields=name&access_token=${EMULATOR_ACCESS_TOKEN}`)).json()) as { data: { name: string }[] };
      expect(listed.data.map((a) => a.name)).toEqual(['Seeded']);
      expect(printed).toContain(`FACEBOOK_ACCESS_TOKEN=${EMULATOR_ACCESS_TOKEN} syncmodes sync --to facebook --option baseUrl=${url} --option adAccountId=act_1000`);
    });
    expect(code).toBe(0);
  });
});
