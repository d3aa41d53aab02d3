import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthError, checkDestination, ConfigError } from '@syncmodes/connector-kit';
import { createIntercomEmulator, EMULATOR_ACCESS_TOKEN as INTERCOM_TOKEN } from '@syncmodes/intercom/emulator';
import { destination as salesforce } from '@syncmodes/salesforce';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN as SALESFORCE_TOKEN } from '@syncmodes/salesforce/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, tempDir } from './cli-helpers';

/** Requests that could change data: anything but reads. */
const writes = (log: readonly { method: string; path: string }[]) => log.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

describe('syncmodes check against the Salesforce emulator (writes nothing)', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let url: string;
  beforeEach(async () => {
    emulator = createSalesforceEmulator();
    emulator.seed({ Campaign: [{ Name: 'newsletter' }] });
    url = await emulator.start();
    emulator.clearRequests();
  });
  afterEach(() => emulator.stop());

  const args = () => ['check', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--map', 'Email=Email', '--map', 'LastName=Last Name'];

  it('a good config: connects, describes the mapped fields, finds the group without creating it; exit 0, only reads sent', async () => {
    const out = await cli([...args(), '--groups', 'Segments', '--group', 'newsletter'], { SALESFORCE_ACCESS_TOKEN: SALESFORCE_TOKEN });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/ok +connect +connected to Salesforce/);
    expect(out.stdout).toMatch(/ok +fields +Email, LastName can be written/);
    expect(out.stdout).toMatch(/ok +groups +group "newsletter" found/);
    expect(out.stdout).toContain('Salesforce: ready to sync');
    expect(emulator.requests.length).toBeGreaterThan(0);
    expect(writes(emulator.requests)).toEqual([]);
  });

  it('a group that does not exist is reported and not created', async () => {
    const out = await cli([...args(), '--groups', 'Segments', '--group', 'vip'], { SALESFORCE_ACCESS_TOKEN: SALESFORCE_TOKEN });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('group "vip" not found (a sync would create it)');
    expect(writes(emulator.requests)).toEqual([]);
  });

  it('a refused access token stops at connect: exit 3, authentication_failed, the token never printed', async () => {
    const token = 'BAD-TOKEN-never-printed-4711';
    const out = await cli([...args(), '--json'], { SALESFORCE_ACCESS_TOKEN: token });
    expect(out.code).toBe(3);
    const result = JSON.parse(out.stdout) as { ok: boolean; error: { code: string }; steps: { step: string; status: string }[] };
    expect(result.ok).toBe(false);
    expect(result.error.code).toBe('authentication_failed');
    expect(result.steps.map((s) => [s.step, s.status])).toEqual([
      ['config', 'ok'],
      ['mode', 'ok'],
      ['connect', 'failed'],
      ['fields', 'skipped'],
      ['groups', 'skipped'],
    ]);
    expect(out.stdout + out.stderr).not.toContain(token);
    expect(writes(emulator.requests)).toEqual([]);
  });

  it('a mapped field the object lacks: exit 2, unknown_field naming it', async () => {
    const out = await cli([...args(), '--map', 'Shoe_Size__c=Shoe'], { SALESFORCE_ACCESS_TOKEN: SALESFORCE_TOKEN });
    expect(out.code).toBe(2);
    expect(out.stdout).toMatch(/FAIL fields +unknown_field: Contact has no field "Shoe_Size__c"/);
    expect(out.stderr).toContain('error (unknown_field)');
    expect(writes(emulator.requests)).toEqual([]);
  });

  it('a missing secret and an unsupported mode are configuration errors (exit 2) with no request sent', async () => {
    const missing = await cli(args(), {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('SALESFORCE_ACCESS_TOKEN');
    const mode = await cli([...args(), '--mode', 'mirror'], { SALESFORCE_ACCESS_TOKEN: SALESFORCE_TOKEN });
    expect(mode.code).toBe(2);
    expect(mode.stdout).toMatch(/FAIL mode +unsupported_mode/);
    expect(emulator.requests).toEqual([]);
  });

  it('reads its settings from a sync config file', async () => {
    const dir = tempDir();
    const config = join(dir, 'sync.yaml');
    writeFileSync(config, ['to: salesforce', `options:`, `  instanceUrl: ${url}`, 'map:', '  Email: Email', '  Nope__c: X', 'from: people.csv', 'id: Id'].join('\n'));
    const out = await cli(['check', '--config', config], { SALESFORCE_ACCESS_TOKEN: SALESFORCE_TOKEN });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('"Nope__c"');
  });

  it('checkDestination, called as a library, returns the error as a typed class', async () => {
    const good = await checkDestination({ destination: salesforce, config: { instanceUrl: url, accessToken: SALESFORCE_TOKEN }, fields: ['Email'] });
    expect(good.ok).toBe(true);
    expect(good.calls.connect).toBe(1);
    const bad = await checkDestination({ destination: salesforce, config: { instanceUrl: url, accessToken: 'nope' }, fields: ['Email'] });
    expect(bad.error).toBeInstanceOf(AuthError);
    const field = await checkDestination({ destination: salesforce, config: { instanceUrl: url, accessToken: SALESFORCE_TOKEN }, fields: ['Nope__c'] });
    expect(field.error).toBeInstanceOf(ConfigError);
    expect(field.error?.code).toBe('unknown_field');
    expect(writes(emulator.requests)).toEqual([]);
  });
});

describe('syncmodes check against the Intercom emulator (writes nothing)', () => {
  let emulator: ReturnType<typeof createIntercomEmulator>;
  let url: string;
  beforeEach(async () => {
    emulator = createIntercomEmulator();
    url = await emulator.start();
  });
  afterEach(() => emulator.stop());

  const args = () => ['check', '--to', 'intercom', '--option', `baseUrl=${url}`, '--map', 'email=Email', '--map', 'custom_attributes.plan=Plan', '--groups', 'Tags'];

  it('a good config: a missing custom attribute would be created (nothing is), the tag is looked up, exit 0', async () => {
    const out = await cli(args(), { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/ok +fields +email, custom_attributes\.plan can be written/);
    expect(out.stdout).toMatch(/ok +groups +group "syncmodes-check" not found/);
    expect(emulator.requests.length).toBeGreaterThanOrEqual(2);
    expect(writes(emulator.requests)).toEqual([]);
  });

  it('a refused token: exit 3 (authentication_failed)', async () => {
    const out = await cli(args(), { INTERCOM_ACCESS_TOKEN: 'not-the-token' });
    expect(out.code).toBe(3);
    expect(out.stderr).toContain('error (authentication_failed)');
    expect(writes(emulator.requests)).toEqual([]);
  });

  it('a field Intercom contacts lack, or a missing custom attribute with customAttributes=refuse: exit 2 naming it', async () => {
    const unknown = await cli([...args(), '--map', 'shoe_size=Shoe'], { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error \(unknown_field\): Intercom contacts have no field "shoe_size"/);
    const refused = await cli([...args(), '--option', 'customAttributes=refuse'], { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/error \(unknown_custom_attribute\).*"plan"/);
    expect(writes(emulator.requests)).toEqual([]);
  });

  it('--emulator checks against a fresh emulator', async () => {
    const out = await cli(['check', '--to', 'intercom', '--emulator', '--state-dir', join(tempDir(), 's'), '--map', 'email=Email', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, exitCode: 0, calls: { connect: 1, create: 0, update: 0 } });
  });

  it('--emulator with a --state-dir that is a file: state_unreadable, exit 2, as sync says (not "ready")', async () => {
    const notADir = join(tempDir(), 'state');
    writeFileSync(notADir, 'not a folder');
    const out = await cli(['check', '--to', 'intercom', '--emulator', '--state-dir', notADir, '--map', 'email=Email']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(`error (state_unreadable): --state-dir "${notADir}" is a file, not a folder: --emulator keeps its data there. Nothing was checked. Give the folder your syncs use (or move the file aside).\n`);
  });
});

describe('syncmodes check with an audience destination (Facebook)', () => {
  it('looks the configured audience up without creating it; the emulator keeps no new audience', async () => {
    const dir = tempDir();
    const stateDir = join(dir, 's');
    const out = await cli(['check', '--to', 'facebook', '--emulator', '--state-dir', stateDir, '--option', 'adAccountId=act_123', '--option', 'audience=Customers', '--map', 'EMAIL=Email', '--json']);
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout) as { steps: { step: string; status: string; detail: string }[]; calls: Record<string, number> };
    expect(result.steps.find((s) => s.step === 'groups')).toEqual({ step: 'groups', status: 'ok', detail: 'audience "Customers" not found (a sync would create it)' });
    expect(result.calls).toMatchObject({ ensure_groups: 1, create: 0, add_to_group: 0 });
    const saved = join(stateDir, 'emulators', 'facebook.json');
    const audiences = existsSync(saved) ? (JSON.parse(readFileSync(saved, 'utf8')) as { audiences: unknown[] }).audiences : [];
    expect(audiences).toEqual([]);
  });
});
