import { SqliteStateStore, runSync, type SyncMode } from '@syncmodes/connector-kit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { intercomDestination } from '../src/index';
import { FAST } from './helpers';
import { records, startEmulator, tagNames } from './intercom-harness';
import { countCalls, firstPeople, PEOPLE_DATE_FORMAT, peopleSource, seedPeople } from './people-data';

const SEEDED = 400;
const TOTAL = 1000;

describe(`people-1000.csv into an Intercom workspace holding the first ${SEEDED} people`, () => {
  let env: Awaited<ReturnType<typeof startEmulator>>;
  let state: SqliteStateStore;
  beforeEach(async () => {
    // No rate limit here: these tests count calls; pacing is tested on its own.
    env = await startEmulator({ rateLimit: false });
    await env.admin.seed({ contacts: seedPeople(await firstPeople(SEEDED)) });
    state = new SqliteStateStore(':memory:');
  });
  afterEach(async () => {
    state.close();
    await env.emulator.stop();
  });

  const run = (mode: SyncMode) =>
    runSync({
      destination: intercomDestination,
      config: { ...env.config, dateFormat: PEOPLE_DATE_FORMAT },
      mode,
      source: peopleSource(),
      sourceKey: 'User Id',
      state,
      retry: FAST,
    });

  const expected = {
    sync: { created: TOTAL - SEEDED, updated: SEEDED, skipped: 0, contacts: TOTAL },
    additive: { created: TOTAL - SEEDED, updated: SEEDED, skipped: 0, contacts: TOTAL },
    enrich: { created: 0, updated: SEEDED, skipped: TOTAL - SEEDED, contacts: SEEDED },
  } as const;

  for (const mode of ['sync', 'additive', 'enrich'] as const) {
    it(`${mode}: ${expected[mode].created} created, ${expected[mode].updated} updated, ${expected[mode].skipped} skipped; a rerun sends no write`, async () => {
      const summary = await run(mode);
      const want = expected[mode];
      expect(summary.counts).toEqual({ created: want.created, updated: want.updated, deleted: 0, unchanged: 0, skipped: want.skipped, failed: 0 });
      if (mode === 'enrich') expect(new Set(summary.results.filter((r) => r.outcome === 'skipped').map((r) => r.code))).toEqual(new Set(['not_found']));

      const data = await records(env.admin);
      expect(data.contacts.filter((c) => !c.archived)).toHaveLength(want.contacts);
      expect(new Set(data.contacts.map((c) => c.external_id)).size).toBe(want.contacts);
      const first = data.contacts.find((c) => c.external_id === '8717bbf45cCDbEe');
      expect(first).toMatchObject({ email: 'pwarner@example.org', name: 'Shelia', custom_attributes: { job_title: 'Probation officer', date_of_birth: Date.UTC(2014, 0, 27) / 1000 } });
      expect(tagNames(data, first as never)).toEqual(['Male']);
      expect(Object.fromEntries(data.data_attributes.map((a) => [a.name, a.data_type]))).toEqual({ job_title: 'string', date_of_birth: 'date' });

      const log = await env.admin.requests();
      const writes = want.created + want.updated;
      expect(countCalls(log)).toEqual({
        attributes: 3, // list, then create job_title and date_of_birth
        search: TOTAL / 100,
        ...(want.created ? { create: want.created } : {}),
        update: want.updated,
        tag_lookup: 3, // list tags, create Male and Female
        tag: writes,
      });
      console.info(`[people-1000 ${mode}] calls by kind for ${TOTAL} records:`, countCalls(log));

      await env.admin.clearRequests();
      const rerun = await run(mode);
      expect(rerun.counts).toEqual({ created: 0, updated: 0, deleted: 0, unchanged: want.created + want.updated, skipped: want.skipped, failed: 0 });
      const again = await env.admin.requests();
      if (mode === 'enrich') {
        // People not in Intercom are looked for again (they may have arrived since); nothing is written.
        expect(countCalls(again)).toEqual({ attributes: 1, search: (TOTAL - SEEDED) / 100 });
      } else expect(again).toEqual([]);
    });
  }
});
