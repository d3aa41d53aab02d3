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
  /** Longest a run may take, s (default 4 hours): pg-boss then stops it (`run_time_exceeded` in its history) and retries its job, each attempt continuing from the state the last one wrote, until `retryLimit`. */
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

/** The queue settings a run queue has, as pg-boss keeps them (s). */
export interface RunQueueSettings {
  readonly heartbeatSeconds: number;
  readonly expireInSeconds: number;
  readonly retryLimit: number;
  readonly retryDelay: number;
}

/** The settings of `policy` that were given (not defaulted), as pg-boss queue options. */
function givenSettings(policy: QueuePolicy): Partial<Record<keyof RunQueueSettings | 'retryDelayMax', number>> {
  const out: Partial<Record<keyof RunQueueSettings | 'retryDelayMax', number>> = {};
  if (policy.heartbeatSeconds !== undefined) out.heartbeatSeconds = Math.max(10, policy.heartbeatSeconds);
  if (policy.maxRunSeconds !== undefined) out.expireInSeconds = policy.maxRunSeconds;
  if (policy.retryLimit !== undefined) out.retryLimit = policy.retryLimit;
  if (policy.retryDelaySeconds !== undefined) out.retryDelay = policy.retryDelaySeconds;
  if (policy.retryDelayMaxSeconds !== undefined) out.retryDelayMax = policy.retryDelayMaxSeconds;
  return out;
}

/**
 * Creates the dead-letter queue and the run queues of `destinations` when missing (with
 * `policy`, the defaults for what it leaves out), and applies to existing ones only what
 * `policy` gives and they do not already have. A queue's settings hold for every worker, so
 * each change is logged as a warning naming the old and new values: a worker started with
 * default flags reset a fleet's `--heartbeat 10` to 30, and one started with
 * `--retry-limit 0` turned takeovers off for every worker, silently (fresh helper 107, M2).
 * `schedule` and `enqueue` give no policy and change nothing (fresh helper 71, finding 2).
 *
 * @returns each run queue's settings as they are now, by destination.
 */
export async function ensureQueues(boss: PgBoss, destinations: readonly string[], policy?: QueuePolicy, logger?: Logger): Promise<Map<string, RunQueueSettings>> {
  if (!(await boss.getQueue(DEAD_LETTER_QUEUE))) await createIfMissing(boss, DEAD_LETTER_QUEUE, { policy: 'standard', retryLimit: 0 });
  const options = queueOptions(policy);
  const given = givenSettings(policy ?? {});
  const settings = new Map<string, RunQueueSettings>();
  for (const destination of destinations) {
    const name = runQueue(destination);
    let queue = await boss.getQueue(name);
    if (queue) {
      const current = queue as unknown as Record<string, unknown>;
      const changes = Object.entries(given).filter(([key, value]) => current[key] !== value);
      if (changes.length > 0) {
        await boss.updateQueue(name, Object.fromEntries(changes));
        logger?.warn('queue settings changed for every worker', { queue: name, changed: Object.fromEntries(changes.map(([key, value]) => [key, { from: current[key], to: value }])) });
        queue = await boss.getQueue(name);
      }
    } else {
      await createIfMissing(boss, name, options);
      queue = await boss.getQueue(name);
    }
    settings.set(destination, {
      heartbeatSeconds: queue?.heartbeatSeconds ?? options.heartbeatSeconds ?? 30,
      expireInSeconds: queue?.expireInSeconds ?? options.expireInSeconds ?? 14_400,
      retryLimit: queue?.retryLimit ?? options.retryLimit ?? 5,
      retryDelay: queue?.retryDelay ?? options.retryDelay ?? 5,
    });
  }
  return settings;
}

async function createIfMissing(boss: PgBoss, name: string, options: Omit<Queue, 'name'>): Promise<void> {
  try {
    await boss.createQueue(name, options);
  } catch (error) {
    // Another worker created it a moment ago.
    if (!(await boss.getQueue(name))) throw error;
  }
}
