import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient, type RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli, CUSTOMER_MAPPING, readReport, sharedDataFile, tempDir } from './cli-helpers';

const CUSTOMERS = sharedDataFile('customers-10000.csv');

/** The first `n` data rows of customers-10000.csv (plus header), written to a temp file. */
function firstRows(dir: string, n: number, name = `first-${n}.csv`): string {
  const lines = readFileSync(CUSTOMERS, 'utf8').split(/\r?\n/);
  const path = join(dir, name);
  writeFileSync(path, `${lines.slice(0, n + 1).join('\n')}\n`);
  return path;
}

const isCollectionWrite = (e: RequestLogEntry) => e.path.endsWith('/composite/sobjects') && e.method !== 'GET';

describe('the main job: customers-10000.csv into Salesforce (emulator)', () => {
  let emulator: ReturnType<typeof createSalesforceEmulator>;
  let admin: EmulatorClient;
  let dir: string;
  let url: string;
  const env = { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN };
  const sync = (mode: string, file: string, extra: string[] = []) =>
    cli(['sync', '--to', 'salesforce', '--mode', mode, '--from', file, '--sync-name', 'customers', ...CUSTOMER_MAPPING, '--option', `instanceUrl=${url}`, '--state-dir', join(dir, 'state'), ...extra], env);

  beforeEach(async () => {
    emulator = createSalesforceEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
    dir = tempDir();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('additive: creates 10,000 Contacts in 50 collection calls; the rerun is all unchanged and sends nothing', async () => {
    const report = join(dir, 'report.json');
    const first = await sync('additive', CUSTOMERS, ['--report', report]);
    expect(first.code).toBe(0);
    const r = readReport(report);
    expect(r.counts).toMatchObject({ created: 10_000, failed: 0 });
    expect(r.records).toHaveLength(10_000);
    const writes = (await admin.requests()).filter(isCollectionWrite);
    expect(writes.length).toBeLessThanOrEqual(55);
    expect(writes.map((e) => (e.body as { records: unknown[] }).records.length).reduce((a, b) => a + b, 0)).toBe(10_000);
    const contacts = (await admin.records<{ Contact: { Email: string; Phone: string }[] }>()).Contact;
    expect(contacts).toHaveLength(10_000);
    expect(contacts.find((c) => c.Email === 'urangel@espinoza-francis.net')?.Phone).toBe('043-797-5229');

    await admin.clearRequests();
    const again = await sync('additive', CUSTOMERS, ['--report', report]);
    expect(again.code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ unchanged: 10_000, created: 0, updated: 0 });
    expect(await admin.requests()).toEqual([]);
  });

  it('enrich: against an org holding 2,500 of the people, updates exactly those and creates nothing', async () => {
    const lines = readFileSync(CUSTOMERS, 'utf8').trim().split(/\r?\n/).slice(1, 2_501);
    const existing = lines.map((line) => {
      const emailMatch = /,([^,@\s]+@[^,\s]+),/.exec(line) as RegExpExecArray;
      return { LastName: 'Old', Email: (emailMatch[1] as string).toUpperCase(), Title: 'kept' };
    });
    await admin.seed({ Contact: existing });
    await admin.clearRequests();
    const report = join(dir, 'report.json');
    const run = await sync('enrich', CUSTOMERS, ['--report', report]);
    expect(run.code).toBe(0);
    const r = readReport(report);
    expect(r.counts).toMatchObject({ created: 0, updated: 2_500, skipped: 7_500, failed: 0 });
    expect(r.codes.skipped).toEqual({ not_found: 7_500 });
    const log = await admin.requests();
    expect(log.filter((e) => e.method === 'POST')).toEqual([]);
    const contacts = (await admin.records<{ Contact: { LastName: string; Title: string }[] }>()).Contact;
    expect(contacts).toHaveLength(2_500);
    expect(contacts.every((c) => c.LastName !== 'Old' && c.Title === 'kept')).toBe(true);
  });

  it('sync: deletes exactly the rows removed from the file, and refuses a removal over the guard', async () => {
    expect((await sync('sync', CUSTOMERS)).code).toBe(0);
    const fewer = firstRows(dir, 9_500);
    const report = join(dir, 'report.json');
    const run = await sync('sync', fewer, ['--report', report]);
    expect(run.code).toBe(0);
    const r = readReport(report);
    expect(r.counts).toMatchObject({ deleted: 500, unchanged: 9_500, created: 0 });
    const contacts = (await admin.records<{ Contact: { Email: string }[] }>()).Contact;
    expect(contacts).toHaveLength(9_500);

    await admin.clearRequests();
    const tooFew = firstRows(dir, 8_000);
    const refused = await sync('sync', tooFew, ['--report', report]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain('REFUSED (deletion_guard)');
    expect(readReport(report)).toMatchObject({ status: 'refused', reason: { code: 'deletion_guard' } });
    expect(await admin.requests()).toEqual([]);
    const allowed = await sync('sync', tooFew, ['--allow-deletes', '1500']);
    expect(allowed.code).toBe(0);
    expect((await admin.records<{ Contact: unknown[] }>()).Contact).toHaveLength(8_000);
  });

  it('bad rows fail alone with clear codes; the report accounts for every row', async () => {
    const header = 'Index,Customer Id,First Name,Last Name,Company,City,Country,Phone 1,Phone 2,Email,Subscription Date,Website';
    const good = readFileSync(CUSTOMERS, 'utf8').split(/\r?\n/).slice(1, 21);
    const bad = [
      '9001,BAD000000000001,No,Email,Co,City,Norway,123,456,,01-01-2020,http://x.example',
      '9002,BAD000000000002,Bad,Email,Co,City,Norway,123,456,not-an-email,01-01-2020,http://x.example',
      `9003,BAD000000000003,Long,${'L'.repeat(90)},Co,City,Norway,123,456,long@example.com,01-01-2020,http://x.example`,
      '9004,,No,Id,Co,City,Norway,123,456,noid@example.com,01-01-2020,http://x.example',
      '9005,BAD000000000005,Too,"Few",Co',
    ];
    const file = join(dir, 'messy.csv');
    writeFileSync(file, [header, ...good.slice(0, 10), ...bad, ...good.slice(10)].join('\r\n'));
    const report = join(dir, 'report.json');
    const run = await sync('additive', file, ['--report', report]);
    expect(run.code).toBe(1);
    const r = readReport(report);
    expect(r.records).toHaveLength(25);
    expect(r.counts).toMatchObject({ created: 20, failed: 5 });
    expect(r.codes.failed).toEqual({ missing_match_key: 1, invalid_email: 1, value_too_long: 1, missing_record_id: 1, malformed_row: 1 });
    const byRow = new Map(r.records.map((x) => [x.row, x]));
    // `row` is the file line (the header is line 1).
    expect(byRow.get(12)).toMatchObject({ id: 'BAD000000000001', code: 'missing_match_key' });
    expect(byRow.get(14)?.message).toBe('LastName has 90 characters; Salesforce allows 80. Shorten it.');
    expect(byRow.get(16)?.message).toMatch(/^Line 16: the row has 5 values; the header has 12\./);
    expect(run.stdout).toContain('Failed by code:');
    expect((await admin.records<{ Contact: unknown[] }>()).Contact).toHaveLength(20);
  });
});
