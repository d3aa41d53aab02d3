import { startedRunRecord, type RecordResult } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { RunProgress } from '../src/run-progress';

const started = startedRunRecord({ runId: 'r1', syncId: 's1', syncName: 'people', destination: 'salesforce', mode: 'sync', startedAt: Date.now(), source: 'people.csv' });
const failed: RecordResult = { id: 'p1', row: 2, outcome: 'failed', action: 'fail', code: 'invalid_email', message: 'not an email', retryable: false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A timer longer than 2³¹ − 1 ms, or of NaN ms, fires at once in Node
// (https://nodejs.org/api/timers.html#settimeoutcallback-delay-args): such an interval must not
// turn the pace off (fresh reviewer 78, finding 1: one write per result).
describe('RunProgress: the pace of its writes', () => {
  for (const interval of [Number.NaN, Number.POSITIVE_INFINITY, 3_000_000_000]) {
    it(`an interval of ${interval} ms: results arriving for 200 ms are written once, not once each`, async () => {
      const written: unknown[] = [];
      const progress = new RunProgress(started, async (run) => (written.push(run), true), interval);
      for (let i = 0; i < 20; i++) {
        progress.add(failed);
        await sleep(10);
      }
      await progress.stop();
      expect(written).toHaveLength(1);
    });
  }

  it('counts by code only: no record id or message in what it writes', async () => {
    const written: unknown[] = [];
    const progress = new RunProgress(started, async (run) => (written.push(run), true), 500);
    progress.add(failed);
    await sleep(20);
    await progress.stop();
    expect(written).toHaveLength(1);
    expect(progress.snapshot()).toMatchObject({ status: 'running', counts: { failed: 1 }, codes: { failed: { invalid_email: 1 }, skipped: {} } });
    expect(JSON.stringify(written)).not.toMatch(/p1|not an email/);
  });
});
