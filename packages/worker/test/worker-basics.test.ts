import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishedRuns, peopleCsv, tempDir, waitFor } from './support/helpers';
import { inProcessWorker } from './support/in-process-worker';
import { testDefinition } from './support/test-runner';

const dir = tempDir();

const t = inProcessWorker('worker_basics', { retryDelaySeconds: 1, heartbeatSeconds: 10 });

describe('a worker on Node 22 with pg-boss 12', () => {
  it(`runs Node ${process.versions.node} (the worker package needs 22.12+)`, () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    expect(major > 22 || (major === 22 && minor >= 12)).toBe(true);
  });

  it('takes a queued run, records it in the run history, and the destination holds the records', async () => {
    const definition = testDefinition('basics', { mode: 'sync', from: peopleCsv(dir, 'basics', 0, 30), instanceUrl: t.instanceUrl });
    const queued = await t.queue.enqueue(definition);
    expect(queued?.jobId).toBeTruthy();
    const [run] = await waitFor('the run', async () => {
      const runs = await finishedRuns(t.state, 'basics');
      return runs.length > 0 && runs;
    });
    expect(run).toMatchObject({ status: 'completed', counts: { created: 30 }, jobId: queued?.jobId, worker: t.worker.name });
    expect(t.emulator.org.all('Contact')).toHaveLength(30);
  });

  it('a run whose runner returns no tally keeps its failures by code in the history (counted as they arrived)', async () => {
    const path = join(dir, 'bad-emails.csv');
    writeFileSync(path, `id,email,last_name\n${Array.from({ length: 12 }, (_, i) => `b${i},not-an-email-${i},Bad ${i}`).join('\n')}\n`);
    await t.queue.enqueue(testDefinition('bad-emails', { mode: 'sync', from: path, instanceUrl: t.instanceUrl }));
    const [run] = await waitFor('the run', async () => {
      const runs = await finishedRuns(t.state, 'bad-emails');
      return runs.length > 0 && runs;
    });
    expect(run).toMatchObject({ status: 'completed', counts: { failed: 12 }, codes: { failed: { invalid_email: 12 }, skipped: {} } });
  });
});
