/**
 * One sync as workers run it: the `syncmodes sync` job (a config file's settings and flags)
 * without secrets, with what the queue needs to know about it. Each worker reads the
 * destination's secrets (and a source database's password, through `PGPASSWORD` or
 * `~/.pgpass`) from its own environment.
 */
export interface SyncDefinition {
  /** The sync's name (unique; `schedule add <name>`, `enqueue <name>`). */
  readonly name: string;
  /** The sync's id (`syncIdFor`): one run at a time per id (the queue's singleton key and the state's lease). */
  readonly syncId: string;
  readonly destination: string;
  /** The destination account (`accountKeyOf`): the group whose concurrent runs are capped, and the rate limit's key. */
  readonly accountKey: string;
  /** The job's settings, secret-free (validated by the CLI that stored it and again by the worker that runs it). */
  readonly job: Readonly<Record<string, unknown>>;
}

/** How a stored sync recurs. */
export interface SyncSchedule {
  /** A cron expression (minute precision), evaluated by pg-boss in `tz`. */
  readonly cron?: string | undefined;
  /** Or an interval, ms: the next run is queued that long after a run ends. */
  readonly everyMs?: number | undefined;
  /** Time zone of `cron` (IANA name, default UTC). */
  readonly tz?: string | undefined;
  /** Where to POST a JSON summary when a run fails or is refused. */
  readonly notifyUrl?: string | undefined;
}

/** A sync stored in the database (`schedule add`), with its schedule. */
export interface StoredSync extends SyncDefinition, SyncSchedule {
  readonly paused: boolean;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What a queued run carries: the sync's name, and its definition when it is not stored (`enqueue --config`). */
export interface RunJobData {
  readonly name: string;
  readonly definition?: SyncDefinition | undefined;
  /** Where to POST a JSON summary when this run fails or is refused. */
  readonly notifyUrl?: string | undefined;
  /** How many times in a row this run was queued again because another sync into the same records was running (`sync_overlap`). */
  readonly overlapWaits?: number | undefined;
  /**
   * True for a run its sync's schedule queued (a cron tick, an `--every` sync's next run): it
   * is skipped (`sync_paused`) when its sync is paused by the time a worker takes it, unless
   * its job already started the run (a retry or another worker's takeover of the run in
   * progress goes on: see `pausedBySchedule`), and skipped (`sync_not_found`, not
   * dead-lettered) when its sync was removed. A run queued by hand (`enqueue`) runs even while
   * its sync is paused.
   */
  readonly scheduled?: boolean | undefined;
}

/**
 * Whether a queued run is one a pause stops: a run its schedule queued (`RunJobData.scheduled`)
 * of a stored sync that is paused. It does not start unless its job already started a run
 * (`jobStartedRun`: a retry or takeover of the run in progress, which a pause lets finish). A
 * run queued by hand, or carrying its definition, starts all the same.
 */
export function pausedBySchedule(data: RunJobData, paused: boolean): boolean {
  return paused && data.scheduled === true && !data.definition;
}
