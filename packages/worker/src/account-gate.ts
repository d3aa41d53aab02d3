import type pg from 'pg';
import { BOSS_SCHEMA } from './queues';

/**
 * Whether a claimed run may start under its destination account's cap (`limit` runs at
 * once across every worker). pg-boss's `groupConcurrency` reads the running count when a
 * worker fetches, so two workers fetching at the same moment can both start one past the
 * cap; here every claimed run counts the runs of its account that were claimed before it
 * and are still active (a dead worker's run stops being active when its heartbeat is
 * missed), and the later ones step back. Reads pg-boss's `job` table
 * (https://github.com/timgit/pg-boss/blob/master/docs/sql/job-table.md); lets the run start
 * when that cannot be read.
 */
export async function mayStartUnderAccountCap(
  pool: pg.Pool,
  job: { readonly id: string; readonly name: string; readonly groupId?: string | null | undefined; readonly startedOn: Date },
  limit: number,
): Promise<boolean> {
  if (!job.groupId) return true;
  try {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${BOSS_SCHEMA}.job
       WHERE name = $1 AND state = 'active' AND group_id = $2 AND id <> $3 AND (started_on, id) < ($4::timestamptz, $3::uuid)`,
      [job.name, job.groupId, job.id, job.startedOn],
    );
    return (rows[0]?.n ?? 0) < limit;
  } catch {
    return true;
  }
}
