import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient, type EmulatorServer } from '@syncmodes/connector-kit/emulator';
import { createIntercomEmulator, EMULATOR_ACCESS_TOKEN as INTERCOM_TOKEN } from '@syncmodes/intercom/emulator';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN as SALESFORCE_TOKEN } from '@syncmodes/salesforce/emulator';
import { afterEach, describe, expect, it } from 'vitest';
import { cliWith, readReport, tempDir } from './cli-helpers';

/**
 * #17 (trial of stop 23): a create the destination answers only after the client's request
 * timeout is slow, not lost — the destination still writes it. Resending it made duplicates
 * (Salesforce: 4 Contacts for 2 rows, reported `created 2`; Intercom: 30 contacts for 10
 * emails). A timed-out create is looked up once and never resent in the run: it fails
 * `timeout` (retryable), and the next run finds it. Counted in the emulator's data.
 */
const VENDORS = {
  salesforce: {
    start: () => createSalesforceEmulator(),
    args: (url: string) => ['--to', 'salesforce', '--option', `instanceUrl=${url}`, '--map', 'Email=Email', '--map', 'LastName=Name'],
    env: { SALESFORCE_ACCESS_TOKEN: SALESFORCE_TOKEN },
    creates: 'composite/sobjects',
    count: (data: unknown) => ((data as { Contact?: unknown[] }).Contact ?? []).length,
  },
  intercom: {
    start: () => createIntercomEmulator(),
    args: (url: string) => ['--to', 'intercom', '--option', `baseUrl=${url}`, '--map', 'email=Email', '--map', 'name=Name'],
    env: { INTERCOM_ACCESS_TOKEN: INTERCOM_TOKEN },
    creates: '^/contacts$',
    count: (data: unknown) => ((data as { contacts?: unknown[] }).contacts ?? []).length,
  },
} as const;

let running: EmulatorServer | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe.each(Object.keys(VENDORS) as (keyof typeof VENDORS)[])('%s: a create answered after the request timeout', (id) => {
  it('is not resent: the run fails it `timeout` (retryable), the destination ends with one record per row, and the next run finds them', async () => {
    const vendor = VENDORS[id];
    running = vendor.start();
    const url = await running.start();
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'Id,Email,Name\n1,slow1@example.com,One\n2,slow2@example.com,Two\n');
    const args = ['sync', ...vendor.args(url), '--mode', 'additive', '--from', file, '--id', 'Id', '--state-dir', join(dir, 's'), '--report', join(dir, 'report.json'), '--option', 'requestTimeoutMs=500'];
    // Answered 4 s late: well after the 0.5 s timeout and the lookup that follows its retry wait
    // (about 1 s), so the lookup finds nothing yet (at 1.5 s, a loaded machine let the create land first: CI of stop 25).
    running.setFaults([{ kind: 'latency', method: 'POST', path: vendor.creates, latencyMs: 4_000 }]);
    const first = await cliWith(args, { env: vendor.env });
    expect(first.code, first.stdout + first.stderr).toBe(1);
    const results = readReport(join(dir, 'report.json')).records;
    expect(results.map((r) => `${r.outcome}:${r.code}`)).toEqual(['failed:timeout', 'failed:timeout']);
    expect(results[0]?.message).toContain('Not resent in this run');
    // The slow creates land once each.
    const admin = new EmulatorClient(url);
    const count = async () => vendor.count(await admin.records());
    for (let waited = 0; (await count()) < 2 && waited < 15_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 2_000)); // any resend would land within this
    expect(await count()).toBe(2);

    running.setFaults([]);
    const second = await cliWith(args, { env: vendor.env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    expect(readReport(join(dir, 'report.json')).records.every((r) => r.outcome === 'updated' || r.outcome === 'unchanged')).toBe(true);
    expect(await count()).toBe(2);
  }, 60_000);
});
