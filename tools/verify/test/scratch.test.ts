import fc from 'fast-check';
import { it } from 'vitest';
import { runRecordsScenario } from '../src/checks/records-scenario';
import { historyArb } from '../src/model/history';
import { emptyStats } from '../src/stats';
import { RECORD_TARGETS } from '../src/targets';

it('scratch', async () => {
  const stats = emptyStats();
  for (const target of RECORD_TARGETS) {
    for (const mode of target.harness.destination.syncModes) {
      const histories = fc.sample(historyArb({ keyChanges: target.harness.matchKeyChangeable !== false }), { numRuns: 4, seed: 42 });
      for (const [i, h] of histories.entries()) await runRecordsScenario(target, mode, h, 42 + i, stats);
    }
  }
  console.log(JSON.stringify({ ...stats, violations: stats.violations.slice(0, 40) }, null, 1));
});
