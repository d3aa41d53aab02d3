import type { Logger, RecordResult, ReportTally, RunLeaseOptions, SharedLimiter, StateStore, SyncProgress, SyncRunSummary } from '@syncmodes/connector-kit';
import type { RateLimit } from '@syncmodes/postgres';
import type { SyncDefinition } from './definitions';

/** What a worker gives the runner for one run. */
export interface WorkerRunContext {
  /** The shared Postgres state (leases, fenced writes). */
  readonly state: StateStore;
  /** Aborts when the worker shuts down or loses the job's claim: the run stops cleanly (`interrupted`). */
  readonly signal: AbortSignal;
  /** The run's lease: its holder names the worker and the queue job, and a lease held for the same job is stale. */
  readonly lease: RunLeaseOptions;
  /** The account's rate limit shared by every worker (sized from the destination's declared limit; holds only without one). */
  sharedLimiter(rateLimit: RateLimit | undefined): Promise<SharedLimiter>;
  readonly logger: Logger;
  /**
   * Hand it every final result as it is decided (`runSync`'s `onResult`): the worker counts
   * them (outcomes, actions, codes: nothing per record is kept) and writes the counts so far
   * to the run's `running` record at a bounded pace, so `syncmodes runs` shows a run's
   * progress, and a run whose worker dies keeps what it had counted.
   */
  readonly onResult: (result: RecordResult) => void;
  /**
   * Hand it the run's progress (`runSync`'s `onProgress`): the worker keeps its live call
   * counts (`stats`) and writes them with the counts so far, so a running run, and a run whose
   * worker died, shows the calls it made (reviewer 78, F4: `calls 0` until the run ended).
   */
  readonly onProgress?: ((progress: SyncProgress) => void) | undefined;
}

/** What a run gave back. */
export interface WorkerRunResult {
  readonly summary: SyncRunSummary;
  /** The source's name for reports (credentials redacted). */
  readonly source: string;
  /** Secret values of the run (to scrub from anything the worker writes or sends). */
  readonly secrets: readonly string[];
  /** The run's results tallied as they arrived (counts by code, the first examples of each) for the run history. */
  readonly tally?: ReportTally | undefined;
}

/**
 * Runs one sync from its stored definition: the CLI provides it (its destinations, config
 * from the definition plus this worker's environment, file or Postgres source), so the
 * worker package knows nothing of destinations.
 *
 * @throws a `SyncError` when the run cannot happen or ends with an error instead of a
 *   summary (configuration, source, state store); its `retryable` flag decides between a
 *   retry and the dead-letter queue.
 */
export type SyncRunner = (definition: SyncDefinition, context: WorkerRunContext) => Promise<WorkerRunResult>;
