import type { Logger, OutcomeCounts } from '@syncmodes/connector-kit';
import { PostgresStateStore } from '@syncmodes/postgres';
import type { PgBoss } from 'pg-boss';
import { ensureQueues, openBoss, type QueuePolicy } from './boss';
import { DefinitionStore } from './definition-store';
import { pausedBySchedule, type RunJobData, type StoredSync, type SyncDefinition, type SyncSchedule } from './definitions';
import { armInterval, jobStartedRun, runInProgress, runSendOptions, sendRun } from './intervals';
import { nextRunAt } from './next-run';
import { runQueue } from './queues';

/** A stored sync as `schedule list` shows it. */
export interface ScheduleListing extends StoredSync {
  /** Runs of it waiting in the queue (0 or 1), and whether one is running now. */
  readonly queued: number;
  readonly running: boolean;
  /** When it runs next, epoch ms (see `nextRunAt`): absent when paused, or for an `--every` sync until its run in progress ends. */
  readonly nextRunAt?: number | undefined;
  /** The run in progress, when one is: its id and its counts so far (as its worker last recorded them, every few seconds). */
  readonly current?: { readonly runId: string; readonly startedAt: number; readonly counts: OutcomeCounts } | undefined;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The queued run's job id, or null when a run of the sync was already waiting (one waits at most). */
  readonly jobId: string | null;
  /** True when a run of the sync is running now (the queued one starts after it). */
  readonly behindRunning: boolean;
}

/**
 * The control side of the queue, for `schedule` and `enqueue` (any machine, no worker
 * needed): stores syncs with their schedule in the database (`sync_definitions`, without
 * secrets), registers cron schedules with pg-boss (`schedule(queue, cron, …, { key: syncId })`),
 * queues runs. Needs Node ≥ 22.12 (pg-boss 12).
 */
export class SyncQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly state: PostgresStateStore,
    private readonly definitions: DefinitionStore,
    /** The queue settings to apply, when this side sets them (none for `schedule` and `enqueue`: the workers' stay). */
    private readonly policy: QueuePolicy | undefined,
  ) {}

  static async open(url: string, options: { readonly policy?: QueuePolicy; readonly logger?: Logger } = {}): Promise<SyncQueue> {
    const state = await PostgresStateStore.open(url, { poolSize: 2 });
    try {
      const definitions = new DefinitionStore(state.pool);
      await definitions.prepare();
      const boss = await openBoss(url, { supervise: false, logger: options.logger });
      return new SyncQueue(boss, state, definitions, options.policy);
    } catch (error) {
      await state.close();
      throw error;
    }
  }

  private maxRunMs(): number {
    return (this.policy?.maxRunSeconds ?? 4 * 3_600) * 1_000;
  }

  /**
   * Stores a sync with its schedule (replacing one of the same name) and registers it: a
   * cron schedule with pg-boss, or, for an interval, its first run now.
   */
  async addSchedule(definition: SyncDefinition, schedule: SyncSchedule): Promise<StoredSync> {
    this.checkSchedule(schedule);
    await ensureQueues(this.boss, [definition.destination], this.policy);
    const previous = await this.definitions.get(definition.name);
    if (previous) await this.unregister(previous);
    const stored = await this.definitions.put(definition, schedule);
    if (!stored.paused) await this.register(stored);
    return stored;
  }

  /**
   * Checks a cron expression and its time zone as pg-boss's scheduler will read them
   * (`previewSchedule`), before anything is stored or replaced: an invalid one left a sync
   * listed active that never ran, in place of the working schedule it replaced (fresh helper
   * 71, finding 4).
   *
   * @throws Error naming the expression or zone and pg-boss's reason.
   */
  checkSchedule(schedule: SyncSchedule): void {
    if (schedule.cron === undefined) {
      if (schedule.tz !== undefined) throw new Error(`A time zone (${schedule.tz}) applies to a cron schedule only, not to an interval.`);
      return;
    }
    // Minute precision, as the CLI promises: pg-boss also reads a sixth field, seconds.
    if (schedule.cron.trim().split(/\s+/).length !== 5) throw new Error(`The cron schedule "${schedule.cron}" cannot run: give five fields (minute, hour, day of month, month, day of week).`);
    try {
      this.boss.previewSchedule(schedule.cron, { tz: schedule.tz ?? 'UTC' });
    } catch (error) {
      throw new Error(`The cron schedule "${schedule.cron}" in ${schedule.tz ?? 'UTC'} cannot run: ${(error as Error).message}.`);
    }
  }

  private async register(sync: StoredSync): Promise<void> {
    if (sync.cron) {
      await this.boss.schedule(runQueue(sync.destination), sync.cron, { name: sync.name, scheduled: true }, { key: sync.syncId, ...(sync.tz ? { tz: sync.tz } : {}), ...runSendOptions(sync) });
    } else if (sync.everyMs) {
      await armInterval(this.boss, this.state, sync, this.maxRunMs());
    }
  }

  /** Removes a sync's cron schedule and its waiting runs (a run in progress finishes). */
  private async unregister(sync: StoredSync): Promise<void> {
    const queue = runQueue(sync.destination);
    if (await this.boss.getQueue(queue)) {
      await this.boss.unschedule(queue, sync.syncId);
      const waiting = await this.boss.findJobs(queue, { key: sync.syncId, queued: true });
      if (waiting.length > 0) await this.boss.cancel(queue, waiting.map((j) => j.id));
    }
  }

  async list(): Promise<ScheduleListing[]> {
    const out: ScheduleListing[] = [];
    for (const sync of await this.definitions.list()) {
      const queue = runQueue(sync.destination);
      const exists = (await this.boss.getQueue(queue)) !== null;
      // A paused sync's runs queued by its schedule will not start: not counted (fresh reviewer 126, F1).
      const waiting = exists ? await this.startable(sync, await this.boss.findJobs<RunJobData>(queue, { key: sync.syncId, queued: true })) : [];
      const running = await runInProgress(this.boss, this.state, sync, this.maxRunMs());
      const next = nextRunAt(sync, waiting.map((j) => j.startAfter));
      out.push({ ...sync, queued: waiting.length, running, ...(next === undefined ? {} : { nextRunAt: next }), ...(running ? await this.current(sync) : {}) });
    }
    return out;
  }

  /** The sync's run in progress (its last run, recorded `running`) with its counts so far. */
  private async current(sync: StoredSync): Promise<Pick<ScheduleListing, 'current'>> {
    const [last] = await this.state.listRuns({ syncId: sync.syncId, limit: 1 });
    return last?.status === 'running' ? { current: { runId: last.runId, startedAt: last.startedAt, counts: last.counts } } : {};
  }

  get(name: string): Promise<StoredSync | undefined> {
    return this.definitions.get(name);
  }

  /** Pauses a sync's schedule (waiting runs are cancelled; a run in progress finishes). False when there is no such sync. */
  async pause(name: string): Promise<boolean> {
    const sync = await this.definitions.get(name);
    if (!sync) return false;
    await this.definitions.setPaused(name, true);
    await this.unregister(sync);
    return true;
  }

  /** Resumes a paused sync's schedule. False when there is no such sync. */
  async resume(name: string): Promise<boolean> {
    const sync = await this.definitions.get(name);
    if (!sync) return false;
    await this.definitions.setPaused(name, false);
    await ensureQueues(this.boss, [sync.destination], this.policy);
    await this.register({ ...sync, paused: false });
    return true;
  }

  /** Forgets a sync's definition and schedule (its state and run history stay). False when there is no such sync. */
  async remove(name: string): Promise<boolean> {
    const sync = await this.definitions.get(name);
    if (!sync) return false;
    await this.unregister(sync);
    return this.definitions.remove(name);
  }

  /**
   * Queues a run now, for whichever worker is free: a stored sync by name, or a definition
   * carried in the job (`enqueue --config`). One run per sync waits at most: when one is
   * already waiting, nothing more is queued.
   */
  async enqueue(target: string | SyncDefinition, options: { readonly notifyUrl?: string | undefined } = {}): Promise<EnqueueResult | undefined> {
    const definition = typeof target === 'string' ? await this.definitions.get(target) : target;
    if (!definition) return undefined;
    await ensureQueues(this.boss, [definition.destination], this.policy);
    const data = { name: definition.name, ...(typeof target === 'string' ? {} : { definition }), ...(options.notifyUrl ? { notifyUrl: options.notifyUrl } : {}) };
    await this.bringForward(definition);
    const jobId = await sendRun(this.boss, definition, data);
    return { jobId, behindRunning: await runInProgress(this.boss, this.state, definition, this.maxRunMs()) };
  }

  /**
   * Cancels the sync's waiting run when it is due later (an `--every` sync's next run), so
   * the run queued now takes its place: "run now" queued nothing while that run waited, up to
   * a whole interval (fresh helper 71, finding 7). The chain goes on from the run now: each run
   * queues the next when it ends. For a paused sync, a waiting run its schedule queued is
   * cancelled whenever it is due: it would not start (`sync_paused`), and the run by hand, which
   * does, was not queued beside it (fresh reviewer 126, F1).
   */
  private async bringForward(definition: SyncDefinition | StoredSync): Promise<void> {
    const queue = runQueue(definition.destination);
    if (!(await this.boss.getQueue(queue))) return;
    const waiting = await this.boss.findJobs<RunJobData>(queue, { key: definition.syncId, queued: true });
    const startable = new Set(await this.startable(definition, waiting));
    const givesWay = waiting.filter((j) => j.startAfter.getTime() > Date.now() + 1_000 || !startable.has(j));
    if (givesWay.length > 0) await this.boss.cancel(queue, givesWay.map((j) => j.id));
  }

  /** The waiting runs that will start: not those a pause stops (see `pausedBySchedule`, `jobStartedRun`). */
  private async startable<J extends { readonly id: string; readonly data: RunJobData }>(sync: SyncDefinition | StoredSync, waiting: readonly J[]): Promise<J[]> {
    const paused = 'paused' in sync && sync.paused;
    const out: J[] = [];
    for (const job of waiting) if (!pausedBySchedule(job.data, paused) || (await jobStartedRun(this.state, job.id))) out.push(job);
    return out;
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await this.state.close();
  }
}
