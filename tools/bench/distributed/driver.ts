// The distributed benchmark's worker part, in its own process under Node ≥ 22.12 (the
// workers' pg-boss 12 declares it): a throwaway Postgres; 6 syncs over two Intercom
// workspaces (each its own emulator enforcing a per-account limit) on 1, 2 and 3 worker
// processes. Progress on stderr; the last stdout line is the JSON list of `WorkersStep`.
// (The planning rates run in the benchmark's own process: SQLite's native module is built
// for its Node.) Usage: driver.ts <records per sync> <limit per 10 s> <workers,…>
import { startPostgresCluster } from '@syncmodes/postgres/testing';
import { measureWorkers, type WorkersStep } from './workers-step';

const [records = 100, limit = 100] = [process.argv[2], process.argv[3]].map((v) => (v === undefined ? undefined : Number(v)));
const workerCounts = (process.argv[4] ?? '1,2,3').split(',').map(Number);
const log = (line: string) => process.stderr.write(`[bench distributed ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const cluster = await startPostgresCluster();
try {
  const steps: WorkersStep[] = [];
  for (const workers of workerCounts) {
    const step = await measureWorkers(cluster, workers, records, limit);
    steps.push(step);
    const use = step.accounts.map((a) => `${a.callsPerSec.toFixed(1)}/s of ${a.limitPerSec}/s (${(a.used * 100).toFixed(0)}%, ${a.refused} × 429)`).join('; ');
    log(`${workers} worker(s): 6 runs in ${(step.wallMs / 1000).toFixed(1)} s = ${step.runsPerMinute.toFixed(1)} runs/min; ${use}; ${step.failedRecords} records failed (${step.failedByRateLimit} by rate limit); ${JSON.stringify(step.statuses)}`);
  }
  process.stdout.write(`${JSON.stringify(steps)}\n`);
} finally {
  cluster.stop();
}
process.exit(0);
