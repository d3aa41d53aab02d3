import { runSync, type RunSyncOptions } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { calls, FAST, outcomes, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

// Matching by external_id then email, a row with only an email and a row with an external_id
// and that same email: Intercom finds the first row's contact by the second's email, and the
// other way round. Over two runs the later row is refused, and its message says why: this sync
// wrote that contact for the other row with this email (fresh helper 72, finding 6: it said
// "this sync never wrote it there", and told the user to fix the contact in Intercom).
describe('Intercom: two rows with one email, one of them with an external_id, over two runs', () => {
  const t = perTestEmulator(startEmulator);
  const run = (rs: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: intercomDestination, config: t.env.config, source: memorySource(rs), state: t.state, retry: FAST, mode: 'sync', ...extra });
  const emailOnly = person(1, { external_id: '', email: 'same@example.com' });
  const withExternalId = person(2, { email: 'Same@Example.com' });

  const cases = [
    { first: withExternalId, second: emailOnly, shared: 'email' },
    { first: emailOnly, second: withExternalId, shared: 'email' },
  ];
  for (const { first, second, shared } of cases) {
    it(`${first.id} first, then ${second.id} joins: ${second.id} is refused, naming ${first.id} and the shared ${shared}; nothing is written`, async () => {
      expect(outcomes(await run([first]))).toEqual({ [first.id]: 'created' });
      const before = await records(t.env.admin);
      await t.env.admin.clearRequests();
      const summary = await run([first, second]);
      expect(outcomes(summary)).toEqual({ [first.id]: 'unchanged', [second.id]: 'failed:duplicate_destination_record' });
      const message = summary.results.find((r) => r.id === second.id)?.message ?? '';
      expect(message).toContain(`which this sync wrote for record "${first.id}" with this row's ${shared} too`);
      expect(message).toContain('If the two rows are one person, merge them in the source');
      expect(message).not.toContain('never wrote');
      expect(calls(await t.env.admin.requests()).filter((c) => !c.startsWith('GET') && !c.startsWith('POST /contacts/search'))).toEqual([]);
      expect((await records(t.env.admin)).contacts).toEqual(before.contacts);
    });
  }
});
