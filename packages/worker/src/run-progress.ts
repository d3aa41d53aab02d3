import type { CallStats, PlannedAction, RecordResult, RunListing, RunRecord, SyncProgress } from '@syncmodes/connector-kit';

/**
 * The least time between two writes of a running run's counts so far, ms (default): a small
 * single-row UPDATE per running run, whatever the run's pace (never once per record). Results
 * arrive in bursts — a window's records when its batches are acknowledged and its state
 * written — so a burst is written as soon as it is over when the last write is older than
 * this, else when this much time has passed. 5 s keeps `syncmodes runs` current for a run
 * that lasts minutes, and bounds what a run lost mid-way shows too few to about 5 s of work.
 */
export const PROGRESS_INTERVAL_MS = 5_000;
/** The shortest interval accepted, ms: anything smaller is raised to it. */
export const MIN_PROGRESS_INTERVAL_MS = 500;
/** The longest interval accepted, ms: what a Node timer can wait (2³¹ − 1 ms; a longer one fires at once). Anything longer, `Infinity` included, is lowered to it. */
export const MAX_PROGRESS_INTERVAL_MS = 2_147_483_647;

/** `intervalMs` within [{@link MIN_PROGRESS_INTERVAL_MS}, {@link MAX_PROGRESS_INTERVAL_MS}]; not a number: the default (fresh reviewer 78: `NaN` or more than 2³¹ − 1 ms wrote once per burst). */
function boundedInterval(intervalMs: number): number {
  if (Number.isNaN(intervalMs)) return PROGRESS_INTERVAL_MS;
  return Math.min(MAX_PROGRESS_INTERVAL_MS, Math.max(MIN_PROGRESS_INTERVAL_MS, intervalMs));
}

/** Writes a running run's record (`PostgresStateStore.recordRunProgress`); false when the run is no longer running. */
export type ProgressWrite = (run: RunListing) => Promise<boolean>;

type Codes = { failed: Record<string, number>; skipped: Record<string, number> };

/**
 * A running run's counts so far — by outcome, by planned action, failures and skips by code
 * (counts and codes only: no record, id or message) — and their one writer: once results
 * have come in, it writes them to the run's record as soon as the burst of results is over
 * (a window's end), but never sooner than `intervalMs` (at least
 * {@link MIN_PROGRESS_INTERVAL_MS}, at most {@link MAX_PROGRESS_INTERVAL_MS}) after its last write, one write at a time. It writes no
 * more once the run is no longer recorded `running` (closed by another worker) or on `stop()`.
 */
export class RunProgress {
  private readonly counts: RunRecord['counts'];
  private readonly actions: Record<PlannedAction, number>;
  private readonly codes: Codes = { failed: {}, skipped: {} };
  private readonly intervalMs: number;
  private changed = false;
  private stopped = false;
  private lastWriteAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  /** The run's live call counts, once it has a caller (`runSync`'s progress `stats`). */
  private stats: CallStats | undefined;

  constructor(
    private readonly started: RunRecord,
    private readonly write: ProgressWrite,
    intervalMs = PROGRESS_INTERVAL_MS,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.counts = { ...started.counts };
    this.actions = { ...started.actions };
    this.intervalMs = boundedInterval(intervalMs);
  }

  /** Counts one final result (the runner's `onResult`). */
  readonly add = (result: RecordResult): void => {
    this.counts[result.outcome]++;
    this.actions[result.action ?? (result.outcome === 'failed' ? 'fail' : result.outcome === 'unchanged' ? 'none' : 'skip')]++;
    if (result.outcome === 'failed' || result.outcome === 'skipped') {
      const byCode = this.codes[result.outcome];
      const code = result.code ?? 'unknown';
      byCode[code] = (byCode[code] ?? 0) + 1;
    }
    this.changed = true;
    this.schedule();
  };

  /** Keeps the run's live call counts (the runner's `onProgress`); they are written with the next counts. */
  readonly observe = (progress: SyncProgress): void => {
    if (progress.stats) this.stats = progress.stats;
  };

  /** The run's record as it stands: `running`, with the counts and calls so far. */
  snapshot(): RunListing {
    const { problems: _problems, ...listing } = this.started;
    const calls = this.stats ? { calls: { ...this.stats.calls } } : {};
    return { ...listing, ...calls, counts: { ...this.counts }, actions: { ...this.actions }, codes: { failed: { ...this.codes.failed }, skipped: { ...this.codes.skipped } } };
  }

  /** Writes no more, and waits for a write in flight (before the run's final record is written). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.writing;
  }

  /** A write when the current burst of results is over (a timer of 0 runs after it), or once `intervalMs` has passed since the last. */
  private schedule(): void {
    if (this.timer || this.writing || this.stopped || !this.changed) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastWriteAt + this.intervalMs - Date.now()));
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    if (this.stopped) return;
    this.changed = false;
    this.lastWriteAt = Date.now();
    this.writing = this.write(this.snapshot())
      .then((running) => {
        if (!running) this.stopped = true;
      })
      .catch((error: unknown) => {
        this.changed = true;
        this.onError(error);
      })
      .finally(() => {
        this.writing = undefined;
        this.schedule();
      });
  }
}
