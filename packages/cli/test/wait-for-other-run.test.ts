import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSalesforceEmulator, EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startBin, until } from './bin-process';
import { cliWith, tempDir } from './cli-helpers';

const CSV = 'Customer Id,Email,Last Name\nA1,ada@example.com,Lovelace\nB2,alan@example.com,Turing\n';
const MAP = ['--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name'];

/** Whether a run holds a lease in the state file now. */
function leased(path: string): boolean {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 2000');
      return db.prepare("SELECT 1 FROM leases WHERE holder <> '' AND expires_at > ?").get(Date.now()) !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

// Fresh reviewer 112, F4: two cron jobs into the same records started the same minute: the second exited 3 sync_overlap,
// and there was no way to have it wait for the first.
describe('syncmodes sync --wait', () => {
  it('another sync into the same records is running: refused sync_overlap (exit 3) without --wait; with --wait 2m it waits, says so on stderr, then runs and creates no one twice', async () => {
    const emulator = createSalesforceEmulator();
    const url = await emulator.start();
    const dir = tempDir();
    const stateDir = join(dir, 's');
    const file = join(dir, 'customers.csv');
    writeFileSync(file, CSV);
    const argv = (name: string) => ['sync', '--to', 'salesforce', '--option', `instanceUrl=${url}`, '--state-dir', stateDir, '--from', file, '--sync-name', name, '--mode', 'additive', ...MAP];
    const env = { SALESFORCE_ACCESS_TOKEN: EMULATOR_ACCESS_TOKEN };
    try {
      emulator.setFaults([{ kind: 'latency', latencyMs: 1_500, every: 1 }]);
      const hourly = startBin(argv('hourly'), { env });
      await until(() => leased(join(stateDir, 'state.sqlite')) || hourly.child.exitCode !== null, 60_000, 'the first run to take its leases');

      const refused = await cliWith([...argv('nightly'), '--json'], { env });
      expect(refused.code).toBe(3);
      expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'refused', reason: { code: 'sync_overlap' } });
      // In the CLI's words (fresh helper 116: it said only "a worker queues it again").
      expect((JSON.parse(refused.stdout) as { reason: { message: string } }).reason.message).toContain('Run this one when it ends, or let it wait (--wait 10m); a worker queues it again by itself.');

      const waited = await cliWith([...argv('nightly'), '--wait', '2m', '--json'], { env });
      expect((await hourly.exited).code).toBe(0);
      expect(waited.stderr).toMatch(/Another sync into the same Salesforce records .* Waiting up to 1[12]\d s for it to end\./);
      expect(waited.code).toBe(0);
      expect(JSON.parse(waited.stdout)).toMatchObject({ status: 'completed', counts: { created: 0, updated: 2 } });
      expect(emulator.org.all('Contact')).toHaveLength(2);
    } finally {
      await emulator.stop();
    }
  }, 120_000);

  it('refuses a --wait that is not a duration', async () => {
    const out = await cliWith(['sync', '--to', 'salesforce', '--emulator', '--from', 'x.csv', '--wait', 'soon']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("option '--wait <duration>' argument 'soon' is invalid. expects a duration of at least 0 ms, like 30s, 7m, 6h or 1d.");
  });
});
