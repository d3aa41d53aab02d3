import { describe, expect, it } from 'vitest';
import { ResultSink } from '../src/run/result-sink';
import { countUndecided } from '../src/run/run-sync-job';

// The summary printed on a second Ctrl-C: every record the scan counted, decided or not_sent (trial 19b F5).
describe('countUndecided', () => {
  it('counts from the sink, not from a progress report up to 99 results behind: no departure is invented (re-check of trial 20b: 49)', () => {
    const sink = new ResultSink();
    for (let row = 2; row < 152; row++) sink.add({ id: `r${row}`, row, outcome: 'created', action: 'create' });
    const undecided = countUndecided(sink, { phase: 'syncing', processed: 100, total: 300, departing: 50 });
    expect(undecided).toBe(150);
    expect([sink.tally.inputRows, sink.tally.departed, sink.tally.codes.skipped.not_sent, sink.counts.skipped, sink.counts.created]).toEqual([250, 50, 150, 150, 150]);
  });

  it('a run still reading its source (no total yet) counts nothing', () => {
    const sink = new ResultSink();
    expect(countUndecided(sink, { phase: 'scanning', processed: 0, total: 0 })).toBe(0);
    expect(countUndecided(sink, undefined)).toBe(0);
    expect(sink.counts.skipped).toBe(0);
  });
});
