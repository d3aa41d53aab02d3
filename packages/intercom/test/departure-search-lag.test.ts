import { MemoryStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST, person } from './helpers';
import { records, startEmulator } from './intercom-harness';

/**
 * A user this sync created leaves the source while its email finds only leads someone made, its
 * own contact not searchable yet (Intercom's search lags behind writes): the departure is
 * refused and stays tracked, never forgotten — forgotten, its contact was never deleted (fresh
 * reviewer 138, F1). Nothing is written to the leads.
 */
describe('Intercom, sync mode: a departure whose own contact search cannot see yet', () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  beforeEach(async () => {
    env = await startEmulator({ searchLagMs: 600_000 });
  });
  afterEach(async () => {
    await env.emulator.stop();
  });
  for (const leads of [1, 2]) {
    it(`${leads} lead(s) with its email: refused (ambiguous_match), still tracked, every contact left as it was`, async () => {
      const state = new MemoryStateStore();
      const sync = (rs: ConformanceRecord[]) => runSync({ collectResults: true, destination: intercomDestination, config: env.config, mode: 'sync', source: memorySource(rs), state, retry: FAST, guard: { maxDeletes: 5 } });
      const first = await sync([person(1), person(2)]);
      const own = first.results.find((r) => r.id === 'p1')?.destinationId;
      await env.admin.seed({ contacts: Array.from({ length: leads }, (_, i) => ({ role: 'lead', email: 'p1@example.com', name: `Lead ${i}` })) });
      const before = (await records(env.admin)).contacts;
      const left = await sync([person(2)]);
      expect(left.results.find((r) => r.id === 'p1')).toMatchObject({ outcome: 'failed', code: 'ambiguous_match' });
      expect((await state.get(left.syncId, ['p1'])).get('p1')).toMatchObject({ destinationId: own });
      expect((await records(env.admin)).contacts).toEqual(before);
    });
  }
});
