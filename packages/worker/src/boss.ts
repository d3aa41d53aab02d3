import type { Logger } from '@syncmodes/connector-kit';
import { redactDatabaseUrl } from '@syncmodes/postgres';
import { PgBoss, type Queue } from 'pg-boss';
import { BOSS_SCHEMA, DEAD_LETTER_QUEUE, runQueue } from './queues';

/** How runs are retried and taken over; every worker and scheduler applies the same to the queues. */
export interface QueuePolicy {
  /** Retries of a run that stopped on a retryable error (quota, rate limit, state or source unreachable) or whose worker died (default 5). */
  readonly retryLimit?: number | undefined;
  /** First retry delay, s, doubled each retry with jitter (default 5). */
  readonly retryDelaySeconds?: number | undefined;
  /** Longest retry delay, s (default 1,800). */
  readonly retryDelayMaxSeconds?: number | undefined;
  /**
   * A worker's heartbeat, s (≥ 10, default 30): a run whose worker stops sending it (killed,
   * paused, partitioned) is given to another worker about this long later.
   */
  readonly heartbeatSeconds?: number | undefined;
  /** Longest a run may take, s (default 4 hours). */
  readonly maxRunSeconds?: number | undefined;
}

/** The queue options of {@link QueuePolicy} with its defaults. */
export function queueOptions(policy: QueuePolicy = {}): Omit<Queue, 'name'> {
  return {
    policy: 'stately',
    deadLetter: DEAD_LETTER_QUEUE,
    retryLimit: policy.retryLimit ?? 5,
    retryDelay: policy.retryDelaySeconds ?? 5,
    retryBackoff: true,
    retryDelayMax: policy.retryDelayMaxSeconds ?? 1_800,
    heartbeatSeconds: Math.max(10, policy.heartbeatSeconds ?? 30),
    expireInSeconds: policy.maxRunSeconds ?? 4 * 3_600,
  };
}

/** Options of {@link openBoss}. */
export interface OpenBossOptions {
  /** Run the cron scheduler and maintenance here (workers: yes; a one-off `schedule add`: no). */
  readonly supervise: boolean;
  /** How often expired heartbeats and due schedules are looked at, s (default 5; heartbeatSeconds / 3 is a good value). */
  readonly superviseIntervalSeconds?: number | undefined;
  readonly logger?: Logger | undefined;
}

/**
 * Starts a pg-boss 12 instance on the database (its tables in schema `pgboss`, created or
 * migrated when needed). Its errors are logged with the URL's password redacted, never thrown
 * from timers.
 */
export async function openBoss(url: string, options: OpenBossOptions): Promise<PgBoss> {
  const interval = options.superviseIntervalSeconds ?? 5;
  const boss = new PgBoss({
    connectionString: url,
    schema: BOSS_SCHEMA,
    application_name: 'syncmodes-worker',
    supervise: options.supervise,
    schedule: options.supervise,
    superviseIntervalSeconds: interval,
    monitorIntervalSeconds: interval,
    cronMonitorIntervalSeconds: Math.min(30, Math.max(1, interval)),
    cronWorkerIntervalSeconds: Math.min(30, Math.max(1, interval)),
  });
  boss.on('error', (error: Error) => options.logger?.warn('queue error', { message: error.message.split(url).join(redactDatabaseUrl(url)) }));
  await boss.start();
  return boss;
}

/**
 * Creates the dead-letter queue and the run queues of `destinations` when missing (with
 * `policy`, else the defaults), and applies `policy` to existing ones when given: workers give
 * theirs; `schedule` and `enqueue` give none and leave the workers' settings as they are (they
 * reset them to the defaults: fresh helper 71, finding 2).
 */
export async function ensureQueues(boss: PgBoss, destinations: readonly string[], policy?: QueuePolicy): Promise<void> {
  if (!(await boss.getQueue(DEAD_LETTER_QUEUE))) await createIfMissing(boss, DEAD_LETTER_QUEUE, { policy: 'standard', retryLimit: 0 });
  const options = queueOptions(policy);
  for (const destination of destinations) {
    const name = runQueue(destination);
    if (await boss.getQueue(name)) {
      if (policy === undefined) continue;
      const { policy: _policy, deadLetter: _deadLetter, retryDelayMax: _max, ...updatable } = options;
      await boss.updateQueue(name, updatable);
    } else {
      await createIfMissing(boss, name, options);
    }
  }
}

async function createIfMissing(boss: PgBoss, name: string, options: Omit<Queue, 'name'>): Promise<void> {
  try {
    await boss.createQueue(name, options);
  } catch (error) {
    // Another worker created it a moment ago.
    if (!(await boss.getQueue(name))) throw error;
  }
}
