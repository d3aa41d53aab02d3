import { it } from 'vitest';
import { runCrashHarness } from '../src/checks/crash';
import { emptyStats } from '../src/stats';
import { RECORD_TARGETS } from '../src/targets';

it('scratch', async () => {
  const stats = emptyStats();
  for (const target of RECORD_TARGETS) {
    const mode = target.harness.destination.syncModes.includes('sync') ? 'sync' : 'enrich';
    await runCrashHarness(target, mode, { kills: 3, rows: 300, latencyMs: target.harness.writeBatchLimit > 1 ? 150 : 10, seed: 7 }, stats);
  }
  console.log(JSON.stringify({ ...stats, violations: stats.violations.slice(0, 40) }, null, 1));
});
