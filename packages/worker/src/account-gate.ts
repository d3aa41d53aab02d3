import type pg from 'pg';
import { BOSS_SCHEMA } from './queues';

/**
 * Whether a claimed run may start under its destination account's cap (`limit` runs at
 * once across every worker). pg-boss's `groupConcurrency` reads the running count when a
 * worker fetches, so two workers fetching at the same moment can both start one past the
 * cap; here every claimed run counts the other runs of its account that are active (a dead
 * worker's run stops being active when its heartbeat is missed) and steps back when they
 * fill the cap. Every other active run counts, not only those claimed earlier: two fetches'
 * transactions can commit in the opposite order to their `started_on`, and then each saw the
 * other as the later one and both started (a flaky cap test, stop 27). Two runs that see each
 * other both step back and try again after a random 2–4 s. Reads pg-boss's `job` table
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
       WHERE name = $1 AND state = 'active' AND group_id = $2 AND id <> $3`,
      [job.name, job.groupId, job.id],
    );
    return (rows[0]?.n ?? 0) < limit;
  } catch {
    return true;
  }
}
