import { describe, expect, it } from 'vitest';
import { overranRunRecord, watchRunTime } from '../src/run-time-limit';
import { startedRunRecord } from '@syncmodes/connector-kit';

describe('watchRunTime: a job aborted by pg-boss at its time limit, told from a lost claim', () => {
  const watch = (abortAtMs: number | undefined, expireInSeconds = 4) => {
    let now = 1_000_000;
    const controller = new AbortController();
    const overran = watchRunTime({ signal: controller.signal, expireInSeconds }, () => now);
    if (abortAtMs !== undefined) {
      now += abortAtMs;
      controller.abort();
    }
    return overran();
  };

  it.each([
    [4_000, true],
    [3_800, true],
    [9_000, true],
    [3_700, false],
    [300, false],
    [undefined, false],
  ] as const)('aborted %s ms after the job was handed over (limit 4 s): %s', (at, expected) => {
    expect(watch(at)).toBe(expected);
  });

  it('the run record says whether its job is retried', () => {
    const run = startedRunRecord({ runId: 'r', syncId: 's', syncName: 'n', destination: 'salesforce', mode: 'sync', startedAt: 0, source: '', worker: 'w', jobId: 'j' });
    expect(overranRunRecord(run, 14_400, true).reason?.message).toMatch(/^The run took longer than its queue allows \(maxRunSeconds: 14400 s\) and was stopped\. pg-boss retries its job/);
    expect(overranRunRecord(run, 14_400, false)).toMatchObject({ status: 'stopped', reason: { code: 'run_time_exceeded', message: expect.stringContaining('No retry was left') } });
  });
});
