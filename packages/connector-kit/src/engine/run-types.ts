import type { z } from 'zod';
import type { AnyDestination } from '../destination/any-destination';
import type { PreparedField } from '../destination/define-destination';
import type { Logger } from '../logging/logger';
import type { SyncMode } from '../modes/sync-modes';
import type { OutcomeCounts, PlannedAction, RecordResult } from '../records/outcome';
import type { RecordSource } from '../records/types';
import type { StateStore } from '../state/state-store';
import type { DeletePolicy } from '../modes/permits';
import type { CallStats } from './calls/caller';
import type { RetryPolicy } from './calls/retry-policy';
import type { RunLeaseOptions } from './run/run-lease';
import type { SharedLimiter } from './calls/shared-limiter';
import type { DeletionGuardOptions } from './scan/deletion-guard';

/** Progress of a run, for progress bars. Units: records. */
export interface SyncProgress {
  /** `waiting`: the destination asked the run to slow down; nothing is sent for `waitMs`. */
  readonly phase: 'scanning' | 'syncing' | 'waiting' | 'done';
  /** Records with a final result so far. */
  readonly processed: number;
  /** Records the run will report on (known after scanning). */
  readonly total: number;
  /** For `waiting`: how long, ms. */
  readonly waitMs?: number | undefined;
  /** For `waiting`: why (`rate_limited`). */
  readonly reason?: 'rate_limited' | undefined;
}

/** Everything {@link runSync} needs. */
export interface RunSyncOptions<D extends AnyDestination = AnyDestination> {
  readonly destination: D;
  /** Raw config: validated with the destination's schema (a bad config throws `invalid_config`). */
  readonly config: z.input<D['configSchema']>;
  /** Requested mode; the destination's default when omitted. */
  readonly mode?: SyncMode | string | undefined;
  readonly source: RecordSource;
  readonly state: StateStore;
  /** Name of the source's primary-key column; part of the sync's identity. */
  readonly sourceKey?: string | undefined;
  /**
   * The sync's name; part of its identity. Feeds into the same destination object with
   * different names have separate state: one never sees the other's records as gone.
   */
  readonly syncName?: string | undefined;
  /**
   * Overrides identity values of the config (e.g. a local emulator's URL, which changes
   * on every start, so that its syncs keep their state).
   */
  readonly identityOverrides?: Readonly<Record<string, unknown>> | undefined;
  /** Plan only: look records up, send no write, change no state. */
  readonly dryRun?: boolean | undefined;
  /**
   * Group (campaign, tag, audience) name → destination id, for names that match several
   * groups in the destination: without a pinned id such a run is refused (`ambiguous_group`).
   */
  readonly groupIds?: Readonly<Record<string, string>> | undefined;
  /** Which records `sync` mode may delete. Default `owned`. */
  readonly deletePolicy?: DeletePolicy | undefined;
  readonly guard?: DeletionGuardOptions | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /**
   * Longest single rate-limit wait the run accepts, ms (default 300,000): a `Retry-After`
   * beyond it stops the run with `rate_limited`, state kept. Same as `retry.maxRateLimitWaitMs`.
   */
  readonly maxRateLimitWaitMs?: number | undefined;
  /**
   * How the run holds its sync's lease (one run per sync at a time; see `StateStore.acquireLease`).
   * A second run of the same sync is refused with `sync_running`. Not taken in a dry run.
   */
  readonly lease?: RunLeaseOptions | undefined;
  /**
   * A rate limit shared with other processes on the same destination account (see
   * {@link SharedLimiter}): every call takes a token from it before the run's own pacing,
   * and a rate-limit answer holds every process on the account.
   */
  readonly sharedLimiter?: SharedLimiter | undefined;
  /**
   * When positive, records a mode that cannot create skipped as `not_found` are
   * remembered, and while their source row is unchanged they are not looked up again until
   * this much time has passed (ms). Default: the destination's
   * `recheckNotFoundAfterMs` (0 for most: looked up on every run).
   */
  readonly recheckNotFoundAfterMs?: number | undefined;
  /** Changed records planned and sent together (memory vs batch fill). Default: the destination's `limits.windowSize`, else 10,000. */
  readonly windowSize?: number | undefined;
  readonly logger?: Logger | undefined;
  /**
   * Stops the run when it aborts (Ctrl-C, SIGTERM, a worker shutting down): nothing more is
   * sent, calls in flight finish, state records what was acknowledged, and the summary has
   * status `stopped` with reason `interrupted`.
   */
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((progress: SyncProgress) => void) | undefined;
  /** Called once per record as soon as its result is final. */
  readonly onResult?: ((result: RecordResult) => void) | undefined;
  /** Keep every result in the summary (default true; turn off for very large runs and use `onResult`). */
  readonly collectResults?: boolean | undefined;
}

/** Something the run tells the user about the run as a whole (e.g. a managed group recreated). */
export interface RunNotice {
  /** Stable snake_case code: `group_recreated`, `group_repopulated`. */
  readonly code: string;
  readonly message: string;
}

/** How a run ended. */
export type RunStatus = 'completed' | 'refused' | 'stopped';

/** What {@link runSync} returns. */
export interface SyncRunSummary {
  readonly destination: string;
  readonly mode: SyncMode;
  readonly dryRun: boolean;
  readonly syncId: string;
  readonly status: RunStatus;
  /** Why the run was refused or stopped. */
  /** `retryable`: whether running again later may succeed without a change (a quota, a rate limit, an interruption) or not (credentials, a guard). */
  readonly reason?: { readonly code: string; readonly message: string; readonly retryable?: boolean | undefined } | undefined;
  readonly counts: OutcomeCounts;
  /** Planned actions, by kind. */
  readonly actions: Record<PlannedAction, number>;
  /** One per input row, plus one per record that left the source (unless collection was off). */
  readonly results: RecordResult[];
  readonly stats: CallStats;
  /** What the run tells the user about the run as a whole (groups recreated or repopulated). */
  readonly notices: readonly RunNotice[];
  /** Wall time, ms. */
  readonly durationMs: number;
  /** Destination fields the run created or found (in a dry run: would create), from `prepareFields`, when it says. */
  readonly fields?: readonly PreparedField[] | undefined;
}
