import { SqliteStateStore, csvSource, runSync } from '@syncmodes/connector-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { onesignalDestination } from '../src/index';
import { startEmulator } from './onesignal-harness';
import { PEOPLE_CSV, PEOPLE_MAPPING, PEOPLE_OPTIONS, peopleRows } from './people-sample';

/**
 * Measures requests per updated user and throughput at configured app-wide rates, with
 * OneSignal's real per-user limit (1 request/s) on both sides. Figures are printed, not
 * asserted: only request counts (deterministic) are checked.
 */
describe('throughput on people-1000.csv (figures printed)', () => {
  let env: Awaited<ReturnType<typeof startEmulator>> | undefined;
  afterEach(async () => {
    await env?.emulator.stop();
    env = undefined;
  });

  for (const rate of [100, 1_000]) {
    it(`updates 1,000 users at ${rate} requests/s app-wide with one request per updated user`, async () => {
      env = await startEmulator({ appWrites: rate, userIntervalMs: 1_000 });
      const rows = await peopleRows();
      await env.admin.seed({ users: rows.map((r) => ({ identity: { external_id: r.externalId }, properties: { tags: {} } })) });
      const state = new SqliteStateStore(':memory:');
      const summary = await runSync({
        destination: onesignalDestination,
        config: { ...env.config, ...PEOPLE_OPTIONS, appRateLimit: rate, userIntervalMs: 1_000 },
        source: csvSource(PEOPLE_CSV, PEOPLE_MAPPING),
        state,
      });
      state.close();
      const log = await env.admin.requests();
      const accepted = log.filter((e) => e.status === 202).length;
      const refused = log.filter((e) => e.status === 429).length;
      expect(summary.counts).toMatchObject({ updated: 1_000, failed: 0 });
      expect(accepted).toBe(1_000);
      expect(log.every((e) => e.method === 'PATCH')).toBe(true);
      const seconds = summary.durationMs / 1000;
      console.log(
        `[onesignal throughput] app rate ${rate}/s: ${summary.counts.updated} users updated in ${seconds.toFixed(2)} s ` +
          `= ${(summary.counts.updated / seconds).toFixed(0)} users/s; ${log.length} requests ` +
          `(${(log.length / summary.counts.updated).toFixed(3)} per updated user, ${refused} answered 429)`,
      );
    }, 60_000);
  }
});
