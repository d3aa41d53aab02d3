import type { Logger, StateStore } from '@syncmodes/connector-kit';
import type { PostgresStateStore } from '@syncmodes/postgres';
import type { PgBoss } from 'pg-boss';
import type { DefinitionStore } from './definition-store';
import type { RunJobData, StoredSync, SyncDefinition } from './definitions';
import { lostRunRecord } from './lost-run';
import { BOSS_SCHEMA, runQueue } from './queues';

/** The send options of a sync's runs: one run per sync (the singleton key), capped per destination account (the group). */
export function runSendOptions(definition: SyncDefinition): { singletonKey: string; group: { id: string; tier: string } } {
  return { singletonKey: definition.syncId, group: { id: definition.accountKey, tier: definition.destination } };
}

/**
 * Queues a sync's run, optionally `startAfterMs` from now. With the queue's `stately` policy
 * at most one run of a sync waits at a time: when one is already queued, nothing more is
 * (returns null).
 */
export function sendRun(boss: PgBoss, definition: SyncDefinition, data: RunJobData, startAfterMs = 0): Promise<string | null> {
  return boss.send(runQueue(definition.destination), data as unknown as object, {
    ...runSendOptions(definition),
    ...(startAfterMs > 0 ? { startAfter: Math.ceil(startAfterMs / 1000) } : {}),
  });
}

/**
 * Queues an `--every` sync's next run, `startAfterMs` from now, marked as its schedule's
 * (`RunJobData.scheduled`): when the sync is paused meanwhile, the run does not start. A run's
 * end queues the next one this way; a pause at that moment cancelled nothing yet and the chain
 * went on (CI on 8aaa0aa: a third run after the pause).
 */
export function sendScheduledRun(boss: PgBoss, sync: StoredSync, startAfterMs: number): Promise<string | null> {
  return sendRun(boss, sync, { name: sync.name, scheduled: true }, startAfterMs);
}

/**
 * Queues an `--every` sync's next run `everyMs` from now, when its run has ended for good:
 * unless the sync was paused or removed meanwhile, or is not an interval sync. Never throws:
 * a failure to read the sync or to queue is logged, and the workers' interval check (each
 * minute, {@link armIntervals}) queues the run the chain misses; failing the job instead had
 * pg-boss run the whole sync again (fresh reviewer 126, F2).
 */
export async function queueNextInterval(boss: PgBoss, definitions: DefinitionStore, name: string, logger: Logger): Promise<void> {
  try {
    const stored = await definitions.get(name);
    if (stored?.everyMs && !stored.paused) await sendScheduledRun(boss, stored, stored.everyMs);
  } catch (error) {
    logger.warn('could not queue the sync\'s next interval run', { sync: name, message: String(error) });
  }
}

/**
 * Whether a sync's last run is in progress: recorded `running` less than `maxRunMs` ago, and
 * its job still active or about to be retried. A run whose job ended without it (its worker
 * killed on the last attempt: the job was dead-lettered) is not, and is recorded `stopped`
 * (`worker_lost`): it showed `running` for hours and held the `--every` chain back (fresh
 * helper 71, finding 6).
 */
export async function runInProgress(boss: PgBoss, state: StateStore, sync: SyncDefinition, maxRunMs: number): Promise<boolean> {
  const [last] = await state.listRuns({ syncId: sync.syncId, limit: 1 });
  if (last?.status !== 'running' || Date.now() - last.startedAt >= maxRunMs) return false;
  if (last.jobId === undefined) return true;
  const job = await boss.getJobById(runQueue(sync.destination), last.jobId);
  if (job && ['created', 'retry', 'active'].includes(job.state)) return true;
  const run = await state.getRun(last.runId);
  if (run?.status === 'running') {
    const why = `Its worker stopped answering and the run's job ended without it (${job ? job.state : 'gone'}): nothing more runs it.`;
    await state.recordRun(lostRunRecord(run, why));
  }
  return false;
}

/**
 * Whether a run of this job is in the run history other than as a refusal: the job started
 * its run, and a retry or another worker's takeover goes on with it. Read from the history
 * by the job's id (`runsOfJob`), not from the job: pg-boss counts an attempt when it is
 * claimed, and an attempt that threw or whose worker died before starting leaves an output
 * too (fresh reviewer 129, F1); nor from the sync's latest runs, which 20 later runs pushed
 * it out of (fresh reviewer 130, F1, F2). False when the history cannot be read.
 */
export async function jobStartedRun(state: PostgresStateStore, jobId: string): Promise<boolean> {
  try {
    return (await state.runsOfJob(jobId)).some((r) => r.status !== 'refused');
  } catch {
    return false;
  }
}

/**
 * Whether a queued run's job may still run it: created, waiting for a retry, or active, in
 * pg-boss's `job` table. True when the table cannot be read (nothing is closed on a guess).
 */
export async function jobMayRun(state: PostgresStateStore, jobId: string): Promise<boolean> {
  try {
    const { rows } = await state.pool.query<{ state: string }>(`SELECT state FROM ${BOSS_SCHEMA}.job WHERE id = $1`, [jobId]);
    return rows.length === 0 ? false : ['created', 'retry', 'active'].includes(rows[0]?.state ?? '');
  } catch {
    return true;
  }
}

/**
 * Whether a run of the sync is active in the queue (claimed by a worker), read from pg-boss's
 * `job` table (https://github.com/timgit/pg-boss/blob/master/docs/sql/job-table.md), as the
 * account cap does. A claimed run is active before it records itself `running`; in that
 * moment a worker arming intervals saw neither and queued a second run at once (fresh
 * helper 71, finding 5). True when the table cannot be read: arming waits for the next check.
 */
async function runClaimed(state: PostgresStateStore, sync: SyncDefinition): Promise<boolean> {
  try {
    const { rows } = await state.pool.query(`SELECT 1 FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND singleton_key = $2 AND state = 'active' LIMIT 1`, [runQueue(sync.destination), sync.syncId]);
    return rows.length > 0;
  } catch {
    return true;
  }
}

/**
 * Keeps an `--every` sync's chain of runs going: unless it is paused, already has a run
 * queued, or has one running, queues its next run `everyMs` after its last run ended (at
 * once when that is past, or when it never ran). Each run queues the next when it ends;
 * this repairs a chain a crash broke. Returns the job id when one was queued.
 */
export async function armInterval(boss: PgBoss, state: PostgresStateStore, sync: StoredSync, maxRunMs: number): Promise<string | null> {
  if (sync.paused || !sync.everyMs) return null;
  const queued = await boss.findJobs(runQueue(sync.destination), { key: sync.syncId, queued: true, limit: 1 });
  if (queued.length > 0 || (await runClaimed(state, sync))) return null;
  if (await runInProgress(boss, state, sync, maxRunMs)) return null;
  const [last] = await state.listRuns({ syncId: sync.syncId, limit: 1 });
  const endedAt = last ? (last.finishedAt ?? last.startedAt) : 0;
  return sendScheduledRun(boss, sync, Math.max(0, endedAt + sync.everyMs - Date.now()));
}

/** {@link armInterval} for every stored `--every` sync of these destinations. */
export async function armIntervals(boss: PgBoss, state: PostgresStateStore, definitions: DefinitionStore, destinations: readonly string[], maxRunMs: number): Promise<number> {
  let armed = 0;
  for (const sync of await definitions.list()) {
    if (!destinations.includes(sync.destination)) continue;
    if (await armInterval(boss, state, sync, maxRunMs)) armed++;
  }
  return armed;
}
