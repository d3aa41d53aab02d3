import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startBin, until } from './bin-process';
import { tempDir } from './cli-helpers';

// What a built-in emulator acknowledged is in its data file, even when the process is
// SIGKILLed right after (hostile trial, item 2): the data is saved before each answer leaves.

type SalesforceData = { Contact?: { Id: string; Email?: string }[] };
const contactsIn = (path: string): SalesforceData['Contact'] & object =>
  existsSync(path) ? ((JSON.parse(readFileSync(path, 'utf8')) as SalesforceData).Contact ?? []) : [];

/** Destination ids the sync's state holds as written and acknowledged (not pending). */
function acknowledgedIds(statePath: string): string[] {
  if (!existsSync(statePath)) return [];
  const db = new Database(statePath, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    const rows = db.prepare('SELECT destination_id AS id FROM records WHERE destination_id IS NOT NULL AND pending = 0').all() as { id: string }[];
    return rows.map((r) => r.id);
  } catch {
    return []; // the schema is not there yet
  } finally {
    db.close();
  }
}

describe('built-in emulator data survives SIGKILL', () => {
  it('`syncmodes emulator salesforce --data`: a create acknowledged is in the data file when the process is killed right after the answer', async () => {
    const dir = tempDir();
    const data = join(dir, 'salesforce.json');
    const bin = startBin(['emulator', 'salesforce', '--port', '0', '--data', data]);
    try {
      await until(() => /listening on (http:\/\/\S+)/.test(bin.output.stdout), 60_000, 'the emulator to listen');
      const url = /listening on (http:\/\/\S+)/.exec(bin.output.stdout)?.[1] as string;
      // sObject Collections create: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_composite_sobjects_collections_create.htm
      const response = await fetch(`${url}/services/data/v62.0/composite/sobjects`, {
        method: 'POST',
        headers: { authorization: `Bearer ${EMULATOR_ACCESS_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ allOrNone: false, records: [1, 2, 3].map((n) => ({ attributes: { type: 'Contact' }, LastName: `L${n}`, Email: `p${n}@example.com` })) }),
      });
      const created = (await response.json()) as { id: string; success: boolean }[];
      bin.child.kill('SIGKILL');
      await bin.exited;
      expect(created.map((c) => c.success)).toEqual([true, true, true]);
      expect(contactsIn(data).map((c) => c.Id).sort()).toEqual(created.map((c) => c.id).sort());
    } finally {
      bin.child.kill('SIGKILL');
    }
  }, 90_000);

  it('`syncmodes sync --emulator` killed mid-run: every record the state holds as written is in the emulator data file', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    const state = join(dir, 's');
    const rows = 20_000; // written through sObject Collections (bulkThreshold=0), one call of 200 at a time
    writeFileSync(file, `Id,Email,Name\n${Array.from({ length: rows }, (_, i) => `${i + 1},p${i + 1}@example.com,N${i + 1}`).join('\n')}\n`);
    const bin = startBin(['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', file, '--id', 'Id', '--map', 'Email=Email', '--map', 'LastName=Name', '--option', 'bulkThreshold=0', '--option', 'concurrency=1', '--state-dir', state, '--no-progress']);
    try {
      // Killed as soon as the state shows acknowledged writes: the emulator answered them moments before.
      await until(() => acknowledgedIds(join(state, 'state.sqlite')).length >= 200 || bin.child.exitCode !== null, 120_000, 'acknowledged writes in the state');
      bin.child.kill('SIGKILL');
      const { signal } = await bin.exited;
      expect(signal).toBe('SIGKILL'); // killed mid-run, not finished
      const written = acknowledgedIds(join(state, 'state.sqlite'));
      expect(written.length).toBeGreaterThanOrEqual(200);
      expect(written.length).toBeLessThan(rows);
      const inFile = new Set(contactsIn(join(state, 'emulators', 'salesforce.json')).map((c) => c.Id));
      expect(written.filter((id) => !inFile.has(id))).toEqual([]);
    } finally {
      bin.child.kill('SIGKILL');
    }
  }, 180_000);
});
