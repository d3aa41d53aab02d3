import { EMULATOR_ACCESS_TOKEN } from '@syncmodes/salesforce/emulator';
import { describe, expect, it } from 'vitest';
import { identityOf, parseConfig, syncIdFor, targetLeaseKey } from '@syncmodes/connector-kit';
import { destination } from '@syncmodes/salesforce';
import { DEAD_LETTER_QUEUE, overlapRequeueMs, runQueue, type RunJobData } from '../src/index';
import { runSendOptions } from '../src/intervals';
import { finishedRuns, peopleCsv, tempDir, waitFor } from './support/helpers';
import { testDefinition } from './support/test-runner';
import { workerEnv } from './support/worker-env';

const POLICY = { heartbeatSeconds: 10, retryDelaySeconds: 1, retryLimit: 1 };
const t = workerEnv('dispositions', POLICY);
const notifications = () => t.hook.received.map((n) => n.body);
const raw = () => t.hook.received.map((n) => n.raw);
const dir = tempDir();

async function jobsOf(syncId: string) {
  return t.boss.findJobs(runQueue('salesforce'), { key: syncId });
}

describe('how a run’s job ends', () => {
  it('a deletion-guard refusal completes the job (never retried), the run is refused, and a notification is posted without secrets', async () => {
    const first = testDefinition('guarded', { mode: 'sync', from: peopleCsv(dir, 'guarded-all', 0, 40), instanceUrl: t.instanceUrl });
    await t.queue.enqueue(first);
    await waitFor('the first run', async () => (await finishedRuns(t.state, 'guarded')).length === 1 || undefined);
    // 30 of 40 owned records left the source: far beyond the guard's 10%.
    const shrunk = testDefinition('guarded', { mode: 'sync', from: peopleCsv(dir, 'guarded-some', 0, 10), instanceUrl: t.instanceUrl });
    await t.queue.enqueue(shrunk);
    const refused = await waitFor('the refused run', async () => (await finishedRuns(t.state, 'guarded')).find((r) => r.status === 'refused'));
    expect(refused.reason?.code).toBe('deletion_guard');
    // Give a retry every chance to happen: none does.
    await new Promise((r) => setTimeout(r, 4_000));
    expect((await finishedRuns(t.state, 'guarded')).map((r) => r.status)).toEqual(['completed', 'refused']);
    const jobs = await jobsOf('sync-guarded');
    expect(jobs.map((j) => [j.state, j.retryCount])).toEqual([
      ['completed', 0],
      ['completed', 0],
    ]);
    expect(t.emulator.org.all('Contact')).toHaveLength(40);
    const note = notifications().find((n) => n.sync === 'guarded');
    expect(note).toMatchObject({ event: 'run_refused', status: 'refused', reason: { code: 'deletion_guard' }, willRetry: false, destination: 'salesforce' });
    expect(raw().join('')).not.toContain(EMULATOR_ACCESS_TOKEN);
  });

  it('refused credentials go to the dead-letter t.queue at once (a retry cannot fix them)', async () => {
    const definition = testDefinition('bad-token', { mode: 'additive', from: peopleCsv(dir, 'bad-token', 100, 110), instanceUrl: t.instanceUrl, accessToken: 'not-the-token' });
    await t.queue.enqueue(definition);
    const run = await waitFor('the run', async () => (await finishedRuns(t.state, 'bad-token'))[0]);
    expect(run).toMatchObject({ status: 'stopped', reason: { code: 'authentication_failed' } });
    const dead = await waitFor('the dead letter', async () => (await t.boss.findJobs(DEAD_LETTER_QUEUE, { data: { name: 'bad-token' } }))[0]);
    expect(dead).toBeTruthy();
    expect((await jobsOf('sync-bad-token')).map((j) => [j.state, j.retryCount])).toEqual([['failed', 0]]);
    expect(notifications().find((n) => n.sync === 'bad-token')).toMatchObject({ event: 'run_stopped', willRetry: false });
    expect(raw().join('')).not.toContain('not-the-token');
  });

  it('a retryable stop (a rate limit longer than the run may wait) is retried with backoff, then dead-lettered', async () => {
    t.emulator.setFaults([{ kind: 'rate_limit', path: '/composite/sobjects' }]);
    try {
      const definition = testDefinition('limited', { mode: 'additive', from: peopleCsv(dir, 'limited', 200, 210), instanceUrl: t.instanceUrl, maxRateLimitWaitMs: 1 });
      await t.queue.enqueue(definition);
      await waitFor('two attempts', async () => (await finishedRuns(t.state, 'limited')).length >= 2 || undefined);
      const dead = await waitFor('the dead letter', async () => (await t.boss.findJobs(DEAD_LETTER_QUEUE, { data: { name: 'limited' } }))[0]);
      expect(dead).toBeTruthy();
      const runs = await finishedRuns(t.state, 'limited');
      expect(runs.map((r) => [r.status, r.reason?.code])).toEqual([
        ['stopped', 'rate_limited'],
        ['stopped', 'rate_limited'],
      ]);
      expect(runs[0]?.jobId).toBe(runs[1]?.jobId);
      expect(notifications().filter((n) => n.sync === 'limited').map((n) => n.willRetry)).toEqual([true, false]);
    } finally {
      t.emulator.setFaults([]);
    }
  });

  // Fresh reviewer 112, F2: behind another sync's live run, a run refused sync_overlap was queued again every 30 s, as long as
  // that run lasted (about 480 tries and run history rows behind a 4-hour run), and nobody heard of it.
  it('a run refused because another sync writes the same records (sync_overlap) waits longer each time it is queued again, and is notified once, at the eighth refusal in a row', async () => {
    const definition = testDefinition('overlapped', { mode: 'additive', from: peopleCsv(dir, 'overlapped', 300, 305), instanceUrl: t.instanceUrl });
    const config = parseConfig(destination, { instanceUrl: t.instanceUrl, accessToken: EMULATOR_ACCESS_TOKEN, object: 'Contact' });
    const identity = { ...identityOf(destination.configSchema, config), instanceUrl: `test:${definition.syncId}` };
    const other = await t.state.acquireLease(targetLeaseKey('salesforce', destination.writeTarget?.(identity) ?? identity), { holder: 'another-sync:1', ttlMs: 600_000 });
    try {
      const waiting = async (waits: number) => {
        const jobs = await t.boss.findJobs<RunJobData>(runQueue('salesforce'), { key: definition.syncId, queued: true });
        return jobs.find((j) => j.data.overlapWaits === waits);
      };
      for (const [waits, notified] of [[undefined, false], [7, true]] as const) {
        const before = Date.now();
        await t.boss.send(runQueue('salesforce'), { name: definition.name, definition, ...(waits === undefined ? {} : { overlapWaits: waits }) }, runSendOptions(definition));
        const next = await waitFor('the run queued again', () => waiting((waits ?? 0) + 1));
        const delayMs = next.startAfter.getTime() - before;
        expect(delayMs).toBeGreaterThanOrEqual(overlapRequeueMs(waits ?? 0) - 1_000);
        expect(delayMs).toBeLessThan(overlapRequeueMs(waits ?? 0) + 10_000);
        await t.boss.cancel(runQueue('salesforce'), next.id);
        const notes = notifications().filter((n) => n.sync === 'overlapped');
        expect(notes.map((n) => [n.event, (n.reason as { code: string } | undefined)?.code, n.willRetry])).toEqual(notified ? [['run_refused', 'sync_overlap', true]] : []);
      }
      expect(overlapRequeueMs(0)).toBe(30_000);
      expect(overlapRequeueMs(7)).toBe(15 * 60_000);
      expect((await finishedRuns(t.state, 'overlapped')).map((r) => [r.status, r.reason?.code])).toEqual([
        ['refused', 'sync_overlap'],
        ['refused', 'sync_overlap'],
      ]);
      expect(t.emulator.org.all('Contact').some((c) => String(c.Email).startsWith('person300'))).toBe(false);
    } finally {
      await t.state.releaseLease(other);
    }
  });

  // Fresh reviewer 115, F3: a refusal sync_running fails its job (pg-boss retries it), and the retry started the count of
  // sync_overlap refusals over: the wait dropped back to 30 s and the eighth refusal in a row came later.
  it('a retry after a refusal sync_running keeps the count of sync_overlap refusals in a row: the eighth is notified and waits 15 min', async () => {
    const definition = testDefinition('overlapped-twice', { mode: 'additive', from: peopleCsv(dir, 'overlapped-twice', 310, 315), instanceUrl: t.instanceUrl });
    const config = parseConfig(destination, { instanceUrl: t.instanceUrl, accessToken: EMULATOR_ACCESS_TOKEN, object: 'Contact' });
    const identity = { ...identityOf(destination.configSchema, config), instanceUrl: `test:${definition.syncId}` };
    const same = await t.state.acquireLease(syncIdFor(destination.id, identity, 'id', definition.name), { holder: 'another-host:1:same-sync', ttlMs: 600_000 });
    const other = await t.state.acquireLease(targetLeaseKey('salesforce', destination.writeTarget?.(identity) ?? identity), { holder: 'another-host:1:other-sync', ttlMs: 600_000 });
    try {
      const before = Date.now();
      const first = await t.boss.send(runQueue('salesforce'), { name: definition.name, definition, overlapWaits: 7 }, { ...runSendOptions(definition), retryLimit: 5, retryDelay: 1, retryBackoff: false });
      await waitFor('a refusal sync_running', async () => (await finishedRuns(t.state, 'overlapped-twice')).some((r) => r.reason?.code === 'sync_running'));
      await t.state.releaseLease(same);
      const next = await waitFor('the run queued again', async () => (await t.boss.findJobs<RunJobData>(runQueue('salesforce'), { key: definition.syncId, queued: true })).find((j) => j.id !== first));
      expect(next.data.overlapWaits).toBe(8);
      expect(next.startAfter.getTime() - before).toBeGreaterThanOrEqual(overlapRequeueMs(7) - 1_000);
      await t.boss.cancel(runQueue('salesforce'), next.id);
      const runs = (await finishedRuns(t.state, 'overlapped-twice')).map((r) => r.reason?.code);
      expect(runs[runs.length - 1]).toBe('sync_overlap');
      expect(new Set(runs)).toEqual(new Set(['sync_running', 'sync_overlap']));
      const notes = notifications().filter((n) => n.sync === 'overlapped-twice');
      expect(notes.map((n) => [n.event, (n.reason as { code: string } | undefined)?.code])).toEqual([['run_refused', 'sync_overlap']]);
    } finally {
      await t.state.releaseLease(other);
    }
  });
});
