import { runSync, SqliteStateStore, type RunSyncOptions } from '@syncmodes/connector-kit';
import type { FaultRule } from '@syncmodes/connector-kit/emulator';
import { memorySource, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facebookDestination, sha256Hex } from '../src/index';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { emailOf, isUsers, payloadOf, startFacebook } from './facebook-harness';
import { FAST_RETRY } from './helpers';

/**
 * Meta's front end cuts a `DELETE …/users` whose query string is long, far below the request
 * line's limit: "Remote end closed connection without response" from 300 rows, 250 fine
 * (https://github.com/facebook/facebook-python-business-sdk/issues/717), broken pipes
 * (https://github.com/facebook/facebook-python-business-sdk/issues/367), an HTML page
 * (https://github.com/facebook/facebook-nodejs-business-sdk/issues/56). The emulator does not
 * model a length (no source gives one): its fault rules cut the removals whose payload is
 * longer than {@link LONG} characters.
 */
const LONG = 2_000;
const PEOPLE = 40;
const person = (i: number): ConformanceRecord => ({ id: `r${i}`, snapshot: { properties: { EMAIL: emailOf(i), FN: `Person ${i}` }, groups: ['big'] } });
const longRemovals = (kind: FaultRule['kind']): FaultRule => ({ kind, method: 'DELETE', path: '/users$', query: `^[\\s\\S]{${LONG},}$` });

describe('Facebook: a removal that gets no answer is sent again in halves', () => {
  let target: Awaited<ReturnType<typeof startFacebook>>;
  let state: SqliteStateStore;
  const run = (records: readonly ConformanceRecord[], extra: Partial<RunSyncOptions> = {}) =>
    runSync({ collectResults: true, destination: facebookDestination, config: target.config, mode: 'sync', source: memorySource(records), state, sourceKey: 'id', retry: FAST_RETRY, guard: { maxDeletes: 10_000, allowEmptySource: true }, ...extra });
  const people = Array.from({ length: PEOPLE }, (_, i) => person(i));
  /** Adds everyone, then sets `rule` and removes everyone; returns the summary and the removals Graph answered. */
  const removeAllUnder = async (rule: FaultRule) => {
    expect((await run(people)).counts.created).toBe(PEOPLE);
    await target.admin.clearRequests();
    target.emulator.setFaults([rule]);
    const summary = await run([]);
    const removals = (await target.admin.requests()).filter((e) => isUsers(e, 'DELETE'));
    return { summary, removals, answered: removals.filter((e) => e.status === 200) };
  };
  const size = async () => (await target.admin.records<FacebookEmulatorData>()).audiences.find((a) => a.name === 'big')?.size;

  beforeEach(async () => {
    state = new SqliteStateStore(':memory:');
    target = await startFacebook();
  });
  afterEach(async () => {
    state.close();
    await target.emulator.stop();
  });

  it('connection reset on long removals: halved until they go through, every person removed once, none failed', async () => {
    const { summary, removals, answered } = await removeAllUnder(longRemovals('reset'));
    expect(summary.counts).toMatchObject({ deleted: PEOPLE, failed: 0 });
    expect(target.emulator.faults.injected.reset).toBeGreaterThan(0);
    // The first request carried everyone; the ones Graph answered are short, and hold each person exactly once.
    expect(payloadOf(removals[0]!).data).toHaveLength(PEOPLE);
    expect(answered.every((e) => (e.query.payload ?? '').length < LONG)).toBe(true);
    const sent = answered.flatMap((e) => payloadOf(e).data.map((row) => row[1]));
    expect([...sent].sort()).toEqual(people.map((_, i) => sha256Hex(emailOf(i))).sort());
    expect(await size()).toBe(0);
  });

  it('answer lost after Meta applied the removal: the halves sent again remove nobody else, and every person is reported removed', async () => {
    const { summary, answered } = await removeAllUnder(longRemovals('lost_response'));
    expect(target.emulator.faults.injected.lost_response).toBeGreaterThan(0);
    expect(summary.counts).toMatchObject({ deleted: PEOPLE, failed: 0 });
    expect(answered.flatMap((e) => payloadOf(e).data)).toHaveLength(PEOPLE);
    expect(await size()).toBe(0);
  });

  it('a page instead of Graph’s answer: halved the same way, every person removed', async () => {
    const { summary } = await removeAllUnder(longRemovals('foreign_body'));
    expect(target.emulator.faults.injected.foreign_body).toBeGreaterThan(0);
    expect(summary.counts).toMatchObject({ deleted: PEOPLE, failed: 0 });
    expect(await size()).toBe(0);
  });

  it('an HTML error page for long removals (the SDK cannot read it: unexpected_error, nodejs-business-sdk #56) is split too, every person removed', async () => {
    const page = { ...longRemovals('server_error'), status: 400, body: '<html><h1 id="sorry">Sorry, something went wrong.</h1></html>' };
    const { summary } = await removeAllUnder(page);
    expect(target.emulator.faults.injected.server_error).toBeGreaterThan(0);
    expect(summary.counts).toMatchObject({ deleted: PEOPLE, failed: 0 });
    expect(await size()).toBe(0);
  });

  it('a removal of one person whose connection is always cut fails alone (network_error); the others are removed', async () => {
    const alone = { kind: 'reset', method: 'DELETE', path: '/users$', query: sha256Hex(emailOf(7)) } as const;
    const { summary } = await removeAllUnder(alone);
    expect(summary.counts).toMatchObject({ deleted: PEOPLE - 1, failed: 1 });
    expect(summary.results.find((r) => r.id === 'r7')).toMatchObject({ outcome: 'failed', code: 'network_error' });
    expect(await size()).toBe(1);
  });

  it('Facebook not answering at all (every removal cut): halving stops once two people alone got no answer, every person fails network_error alone, in a few requests', async () => {
    const { summary, removals } = await removeAllUnder({ kind: 'reset', method: 'DELETE', path: '/users$' });
    expect(summary.counts).toMatchObject({ deleted: 0, failed: PEOPLE });
    expect(summary.results.every((r) => r.code === 'network_error')).toBe(true);
    // 40 → 20 → 10 → 5 → 3 → 2 → 1 → 1 per attempt (8 requests, 6 attempts: 48), not 2 × 40 − 1 = 79 per attempt.
    expect(removals.length).toBeLessThan(2 * PEOPLE);
    expect(await size()).toBe(PEOPLE);
  });
});
