import { reportOfRun, startedRunRecord } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { formatSummary } from '../src/output/summary';

// Fresh helper 107, minor 7: `runs show` of a worker's run that failed before it opened its source said "0 input rows from".
describe('formatSummary: the source', () => {
  const run = (source: string) => ({
    ...startedRunRecord({ runId: 'r1', syncId: 's1', syncName: 'people', destination: 'salesforce', mode: 'sync', startedAt: 0, source, worker: 'w:1', jobId: 'j1' }),
    status: 'failed' as const,
    finishedAt: 1_000,
    reason: { code: 'source_unreadable', message: 'The source could not be opened.' },
  });
  it('names a source never read as such, and a read one by its name', () => {
    expect(formatSummary(reportOfRun(run('')), 'Salesforce').split('\n')[0]).toBe('Salesforce · sync mode · 0 input rows from a source never read (the run ended before it opened it)');
    expect(formatSummary(reportOfRun(run('people.csv')), 'Salesforce').split('\n')[0]).toBe('Salesforce · sync mode · 0 input rows from people.csv');
  });
});
