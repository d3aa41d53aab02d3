// The distributed check's own process, under Node ≥ 22.12 (the workers' pg-boss 12 declares
// it): a throwaway Postgres, three worker processes, the Salesforce emulator; SIGKILL and
// SIGSTOP of workers mid-run, a deletion-guard refusal. Progress on stderr; the last stdout
// line is the JSON result (`DistributedResult`). Usage: driver.ts <rows>
import { tempDir } from '../../../../packages/worker/test/support/helpers';
import { emptyStats } from '../stats';
import { POLICY, startCluster } from './harness';
import { guardScenario, killScenario, pauseScenario, type DistributedFigures } from './scenarios';

const rows = Number(process.argv[2] ?? 600);
const stats = emptyStats();
const figures: DistributedFigures = {};
const dir = tempDir();
const log = (line: string) => process.stderr.write(`${line}\n`);
const started = Date.now();
const cluster = await startCluster();
try {
  await cluster.topUp(3);
  log(`  Postgres and 3 workers up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await killScenario(cluster, rows, stats, figures, dir);
  log(`  SIGKILL with ${figures.createdAtKill}/${rows} records created: run completed on another worker ${((figures.takeoverMs ?? 0) / 1000).toFixed(1)} s after the kill`);
  await pauseScenario(cluster, rows, stats, figures, dir);
  log(`  SIGSTOP: run completed on another worker ${((figures.pausedTakeoverMs ?? 0) / 1000).toFixed(1)} s after the pause; the resumed worker's run stopped with ${figures.zombieCode}`);
  await guardScenario(cluster, Math.min(rows, 100), stats, dir, POLICY.retryDelaySeconds * 1000);
  log('  deletion-guard refusal: not retried');
} catch (error) {
  stats.violations.push(`distributed: ${error instanceof Error ? error.message : String(error)}`);
  for (const w of cluster.workers) log(`worker ${w.name}:\n${w.log.slice(-8).join('\n')}`);
  const { rows: sessions } = await cluster.state.pool.query("SELECT application_name, state, wait_event_type, left(query, 120) AS query FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle'");
  log(`sessions: ${JSON.stringify(sessions)}`);
} finally {
  await cluster.close().catch(() => undefined);
}
process.stdout.write(`${JSON.stringify({ stats, figures })}\n`);
process.exit(0);
