/* eslint-disable no-console -- a command-line benchmark prints its figures */
/**
 * Throughput of the Intercom destination against its emulator at a given rate limit, and
 * calls per record by kind. Not a test: it measures wall-clock time.
 *
 *   npm run bench -w packages/intercom -- [--limit 50] [--window-ms 1000] [--seeded 400] [--concurrency 8] [--mode additive]
 *
 * Syncs ../shared/data/people-1000.csv into a workspace that already holds the first
 * `--seeded` people, with the emulator limited to `--limit` calls per `--window-ms`.
 */
import { parseArgs } from 'node:util';
import { SqliteStateStore, runSync } from '@syncmodes/connector-kit';
import { intercomDestination } from '../src/index';
import { startEmulator } from '../test/intercom-harness';
// Importing it fails, saying where it looked, when the shared people-1000.csv is missing.
import { countCalls, firstPeople, PEOPLE_DATE_FORMAT, peopleSource, seedPeople } from '../test/people-data';

const { values } = parseArgs({
  options: {
    limit: { type: 'string', default: '50' },
    'window-ms': { type: 'string', default: '1000' },
    seeded: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '8' },
    mode: { type: 'string', default: 'additive' },
  },
});
const limit = Number(values.limit);
const windowMs = Number(values['window-ms']);

const env = await startEmulator({ rateLimit: { limit, windowMs } });
const state = new SqliteStateStore(':memory:');
try {
  await env.admin.seed({ contacts: seedPeople(await firstPeople(Number(values.seeded))) });
  const started = performance.now();
  const summary = await runSync({
    destination: intercomDestination,
    config: { ...env.config, dateFormat: PEOPLE_DATE_FORMAT, concurrency: Number(values.concurrency) },
    mode: values.mode,
    source: peopleSource(),
    sourceKey: 'User Id',
    state,
  });
  const seconds = (performance.now() - started) / 1000;
  const log = await env.admin.requests();
  const records = summary.results.length;
  const perRecord = Object.fromEntries(Object.entries(countCalls(log)).map(([k, n]) => [k, `${n} (${(n / records).toFixed(3)}/record)`]));
  console.log(JSON.stringify({
    mode: summary.mode,
    limit: `${limit} calls / ${windowMs} ms = ${((limit * 1000) / windowMs).toFixed(1)} calls/s`,
    counts: summary.counts,
    seconds: Number(seconds.toFixed(2)),
    recordsPerSecond: Number((records / seconds).toFixed(1)),
    callsPerSecond: Number((log.length / seconds).toFixed(1)),
    callsPerRecord: Number((log.length / records).toFixed(3)),
    status429: log.filter((e) => e.status === 429).length,
    rateLimitWaitMs: summary.stats.rateLimitWaitMs,
    callsByKind: perRecord,
  }, null, 2));
} finally {
  state.close();
  await env.emulator.stop();
}
