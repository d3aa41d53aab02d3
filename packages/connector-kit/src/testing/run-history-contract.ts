import { expect, it } from 'vitest';
import { emptyCallStats } from '../engine/calls/caller';
import { emptyCounts, type RecordResult } from '../records/outcome';
import type { RunRecord } from '../state/run-history';
import type { StateStore } from '../state/state-store';

/** A finished run of `syncId` that started at `startedAt` (epoch ms), with two problems. */
export function sampleRun(runId: string, syncId: string, startedAt: number, overrides: Partial<RunRecord> = {}): RunRecord {
  const problems: RecordResult[] = [
    { id: 'r7', row: 7, outcome: 'failed', code: 'invalid_email', message: 'Email "x" is not an email address; fix it.', retryable: false, action: 'fail' },
    { id: 'r9', outcome: 'skipped', code: 'source_incomplete', message: 'Missing from the source, but 1 row(s) could not be read.' },
  ];
  return {
    runId,
    syncId,
    syncName: `name-of-${syncId}`,
    destination: 'tiny',
    mode: 'sync',
    dryRun: false,
    status: 'completed',
    startedAt,
    finishedAt: startedAt + 1_500,
    source: 'people.csv',
    counts: { ...emptyCounts(), created: 3, failed: 1, skipped: 1 },
    actions: { create: 3, update: 0, delete: 0, groups: 0, none: 0, skip: 1, fail: 1 },
    calls: { ...emptyCallStats().calls, connect: 1, find: 1, create: 1 },
    requests: { find: 1, create: 1, bulk_poll: 3 },
    notices: [{ code: 'group_recreated', message: 'Group "vip" was deleted in the destination and created again.' }],
    retries: 2,
    rateLimited: 1,
    problems,
    ...overrides,
  };
}

/**
 * The run-history part of the state-store contract (registered by
 * `describeStateStoreContract`): runs round-trip with their failed and skipped records,
 * come back newest first, filtered by sync id or name and limited, are replaced by id, and
 * only the newest `keep` per sync are kept.
 */
export function runHistoryContract(store: () => StateStore): void {
  it('run history: a run round-trips with its failed and skipped records; listings leave them out', async () => {
    const run = sampleRun('run-1', 'sync-a', 1_700_000_000_000, { worker: 'host:12', jobId: 'job-1', reason: { code: 'deletion_guard', message: 'Refused.' }, status: 'refused' });
    await store().recordRun(run);
    expect(await store().getRun('run-1')).toEqual(run);
    const [listed] = await store().listRuns();
    const { problems: _problems, ...listing } = run;
    expect(listed).toEqual(listing);
    expect(await store().getRun('missing')).toBeUndefined();
  });

  it('run history: newest first, filtered by sync id or name, limited (default 20); the same id replaces a run', async () => {
    for (let i = 0; i < 25; i++) await store().recordRun(sampleRun(`a-${i}`, 'sync-a', 1_000 + i * 10), 1_000);
    await store().recordRun(sampleRun('b-0', 'sync-b', 5_000));
    const all = await store().listRuns();
    expect(all).toHaveLength(20);
    expect(all[0]?.runId).toBe('b-0');
    expect(all[1]?.runId).toBe('a-24');
    expect((await store().listRuns({ syncId: 'sync-a', limit: 3 })).map((r) => r.runId)).toEqual(['a-24', 'a-23', 'a-22']);
    expect((await store().listRuns({ syncName: 'name-of-sync-b' })).map((r) => r.runId)).toEqual(['b-0']);
    await store().recordRun(sampleRun('b-0', 'sync-b', 5_000, { status: 'running', finishedAt: undefined, problems: [] }));
    const replaced = await store().getRun('b-0');
    expect(replaced).toMatchObject({ status: 'running', problems: [] });
    expect(replaced?.finishedAt).toBeUndefined();
    expect(await store().listRuns({ syncName: 'name-of-sync-b' })).toHaveLength(1);
  });

  it('run history: keeps only the newest `keep` runs of a sync, other syncs untouched', async () => {
    await store().recordRun(sampleRun('other', 'sync-b', 1));
    for (let i = 0; i < 6; i++) await store().recordRun(sampleRun(`k-${i}`, 'sync-a', 1_000 + i), 3);
    expect((await store().listRuns({ syncId: 'sync-a' })).map((r) => r.runId)).toEqual(['k-5', 'k-4', 'k-3']);
    expect(await store().getRun('k-0')).toBeUndefined();
    expect(await store().getRun('other')).toBeDefined();
  });

  it('run history: a run still `running` is kept beyond `keep` until it is closed, then forgotten with the next run', async () => {
    await store().recordRun(sampleRun('lost', 'sync-a', 500, { status: 'running', finishedAt: undefined, problems: [] }), 2);
    for (let i = 0; i < 4; i++) await store().recordRun(sampleRun(`k-${i}`, 'sync-a', 1_000 + i), 2);
    expect((await store().listRuns({ syncId: 'sync-a' })).map((r) => r.runId)).toEqual(['k-3', 'k-2', 'lost']);
    await store().recordRun(sampleRun('lost', 'sync-a', 500, { status: 'stopped' }), 2);
    await store().recordRun(sampleRun('k-4', 'sync-a', 1_004), 2);
    expect((await store().listRuns({ syncId: 'sync-a' })).map((r) => r.runId)).toEqual(['k-4', 'k-3']);
  });
}
