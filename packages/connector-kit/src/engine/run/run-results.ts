import type { PreparedField } from '../../destination/define-destination';
import type { SyncError } from '../../errors/sync-error';
import type { SyncMode } from '../../modes/sync-modes';
import { emptyCounts, type PlannedAction, type RecordResult } from '../../records/outcome';
import type { CallStats } from '../calls/caller';
import type { RunNotice, RunSyncOptions, SyncProgress, SyncRunSummary } from '../run-types';

/** The identity of a run, for its summary. */
export interface RunIdentity {
  readonly destination: string;
  readonly mode: SyncMode;
  readonly dryRun: boolean;
  readonly syncId: string;
  readonly started: number;
}

/**
 * The run's results: counts every record's final result by outcome and planned action,
 * keeps it when the caller asked for results, hands it to `onResult`, reports progress, and
 * builds the summary. Exactly one result per input row, plus one per record that left the
 * source.
 */
export class RunResults {
  readonly counts = emptyCounts();
  readonly actions: Record<PlannedAction, number> = { create: 0, update: 0, delete: 0, groups: 0, none: 0, skip: 0, fail: 0 };
  readonly results: RecordResult[] = [];
  readonly notices: RunNotice[] = [];
  /** Adds a notice, in place of an earlier one of the same code (a destination's running total: `VerbContext.notice`). */
  notice(notice: RunNotice): void {
    const at = this.notices.findIndex((n) => n.code === notice.code);
    if (at >= 0) this.notices[at] = notice;
    else this.notices.push(notice);
  }
  /** Destination fields the run created or found (a dry run: would create), from `prepareFields`. */
  fields: readonly PreparedField[] | undefined;
  private processed = 0;
  /** Records the run will report on (known after scanning). */
  total = 0;
  /** Of `total`, records that left the source. */
  departing = 0;
  /** The error that stopped the run, if one did: progress then says `stopped`, never `syncing` or `done`. */
  stoppedBy: () => SyncError | undefined = () => undefined;
  /** The run's call counts so far (`SyncProgress.stats`). */
  callStats: () => CallStats | undefined = () => undefined;

  constructor(
    private readonly identity: RunIdentity,
    private readonly options: Pick<RunSyncOptions, 'onResult' | 'onProgress' | 'collectResults'>,
  ) {}

  /** Hands a final result to the run. */
  readonly emit = (result: RecordResult): void => {
    this.counts[result.outcome]++;
    this.actions[result.action ?? (result.outcome === 'failed' ? 'fail' : result.outcome === 'unchanged' ? 'none' : 'skip')]++;
    this.processed++;
    if (this.options.collectResults === true) this.results.push(result);
    this.options.onResult?.(result);
    if (this.processed % 100 === 0 || this.processed === this.total) this.progress('syncing');
  };

  /** Reports progress (`waiting` with how long and why; `stopped`, with the stop's code, once the run stopped). */
  progress(phase: SyncProgress['phase'], wait?: Pick<SyncProgress, 'waitMs' | 'reason' | 'retry'>): void {
    const stop = phase === 'syncing' || phase === 'done' ? this.stoppedBy() : undefined;
    if (stop) {
      this.options.onProgress?.({ phase: 'stopped', processed: this.processed, total: this.total, ...this.carried(), code: stop.code });
      return;
    }
    const base = { phase, processed: this.processed, total: this.total, ...this.carried() };
    this.options.onProgress?.(phase === 'waiting' ? { ...base, ...wait } : base);
  }

  /** Departures (when any) and the call counts, as every progress report carries them. */
  private carried(): { departing?: number; stats?: CallStats } {
    const stats = this.callStats();
    return { ...(this.departing > 0 ? { departing: this.departing } : {}), ...(stats ? { stats } : {}) };
  }

  /** The run's summary. */
  summary(status: SyncRunSummary['status'], reason: SyncError | undefined, stats: CallStats): SyncRunSummary {
    const { destination, mode, dryRun, syncId, started } = this.identity;
    return {
      destination,
      mode,
      dryRun,
      syncId,
      status,
      reason: reason ? { code: reason.code, message: reason.message, retryable: reason.retryable } : undefined,
      counts: this.counts,
      actions: this.actions,
      results: this.results,
      stats,
      notices: this.notices,
      ...(this.fields ? { fields: this.fields } : {}),
      durationMs: Date.now() - started,
    };
  }
}
