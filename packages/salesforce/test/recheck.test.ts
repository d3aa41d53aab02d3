import { runSync, type SyncMode } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { readContacts, startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const rows: ConformanceRecord[] = ['a', 'b', 'c'].map((id) => ({ id, snapshot: { properties: { Email: `${id}@example.com`, LastName: id }, groups: ['Summit'] } }));

// Fresh reviewer 96, F2: a Contact deleted by a person in Salesforce was never created again — its row unchanged, every run
// reported it unchanged, and sync mode's "the destination mirrors the source" never held again. `recheck` looks every
// record up again; without it, unchanged rows are still neither looked up nor sent.
describe('Salesforce: recheck re-creates what a person deleted', () => {
  const t = perTestEmulator(startEmulator);
  for (const mode of ['sync', 'additive', 'enrich'] as const satisfies readonly SyncMode[]) {
    it(`${mode}: unchanged without recheck; with it, the deleted Contact is ${mode === 'enrich' ? 'skipped not_found (enrich never creates)' : 'created again, in its campaign'}, the others unchanged`, async () => {
      const run = (recheck?: boolean) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode, source: memorySource(rows), state: t.state, retry: FAST, recheck });
      if (mode === 'enrich') t.env.emulator.seed({ Contact: rows.map((r) => ({ LastName: r.id, Email: r.snapshot.properties.Email, Campaigns: ['Summit'] })) });
      await run();
      const b = (await readContacts(t.env.admin)).find((c) => c.key === 'b@example.com');
      expect(t.env.emulator.org.delete(b?.id as string).success).toBe(true);

      t.env.emulator.clearRequests();
      const trusted = await run();
      expect(trusted.results.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged', 'unchanged']);
      // Only the run's setup (describe, the campaign): no Contact looked up, nothing written.
      const lookupsAndWrites = () => t.env.emulator.requests.filter((e) => e.method !== 'GET' || String(e.query?.q ?? '').includes('FROM Contact'));
      expect(lookupsAndWrites()).toEqual([]);

      const rechecked = await run(true);
      expect(Object.fromEntries(rechecked.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]))).toEqual({ a: 'unchanged', b: mode === 'enrich' ? 'skipped:not_found' : 'created', c: 'unchanged' });
      // The result names no destination record when none was found (it named the deleted one: fresh reviewer 100, F7).
      expect(rechecked.results.find((r) => r.id === 'b')?.destinationId).toEqual(mode === 'enrich' ? undefined : expect.stringMatching(/^003/));
      expect(rechecked.results.find((r) => r.id === 'b')?.destinationId).not.toBe(b?.id);
      const contacts = await readContacts(t.env.admin);
      expect(contacts.map((c) => [c.key, c.groups]).sort()).toEqual(mode === 'enrich' ? [['a@example.com', ['Summit']], ['c@example.com', ['Summit']]] : [['a@example.com', ['Summit']], ['b@example.com', ['Summit']], ['c@example.com', ['Summit']]]);

      // The rerun trusts state again: nothing sent; only the Contact enrich could not find is looked up again (state no longer
      // holds it as written, so it is not called unchanged): by its Email, then by the Id this sync wrote it under (it may
      // hold another Email now: fresh helper 108, finding 1).
      t.env.emulator.clearRequests();
      const after = await run();
      expect(Object.fromEntries(after.results.map((r) => [r.id, r.code ? `${r.outcome}:${r.code}` : r.outcome]))).toEqual({ a: 'unchanged', b: mode === 'enrich' ? 'skipped:not_found' : 'unchanged', c: 'unchanged' });
      expect(lookupsAndWrites().map((e) => `${e.method} ${String(e.query?.q ?? '').replace(/IN \(.*\)/, 'IN (…)')}`)).toEqual(
        mode === 'enrich' ? ['GET SELECT Id, Email FROM Contact WHERE Email IN (…) ORDER BY Id', 'GET SELECT Id, Email FROM Contact WHERE Id IN (…) ORDER BY Id'] : [],
      );
    });
  }
});
