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
  /**
   * `waiting`: the destination asked the run to slow down (nothing is sent for `waitMs`), or
   * a request got no answer in time and is about to be sent again (`reason: 'timeout'`).
   * `stopped`: the run stopped (`code` says why: `rate_limited`, `destination_unreachable`,
   * `interrupted`…); the records still counted are reported `not_sent`. `done`: the run went
   * through.
   */
  readonly phase: 'scanning' | 'syncing' | 'waiting' | 'stopped' | 'done';
  /** Records with a final result so far. */
  readonly processed: number;
  /** Records the run will report on (known after scanning). */
  readonly total: number;
  /** Of `total`, records that left the source (known after scanning; absent when none). */
  readonly departing?: number | undefined;
  /** For `waiting`: how long, ms (for a timeout, the backoff before the request is sent again). */
  readonly waitMs?: number | undefined;
  /** For `waiting`: why: `rate_limited`, or `timeout` (a request got no answer in time and is retried). */
  readonly reason?: 'rate_limited' | 'timeout' | undefined;
  /** For `waiting` on a timeout: which retry this is, of at most how many. */
  readonly retry?: { readonly retry: number; readonly of: number } | undefined;
  /** For `stopped`: the code of what stopped the run. */
  readonly code?: string | undefined;
  /**
   * The run's calls so far, once it has a caller: a live view the run keeps counting into
   * (copy it to keep one moment's figures). What a summary printed before the run ends
   * (a second Ctrl-C) reports as its API calls.
   */
  readonly stats?: CallStats | undefined;
}

/**
 * Everything {@link runSync} needs. Each option's `@defaultValue` is what the run uses when
 * it is left out; the kit's README table of options is generated from these comments.
 */
export interface RunSyncOptions<D extends AnyDestination = AnyDestination> {
  /** The destination definition, e.g. `destination` from `@syncmodes/salesforce`. */
  readonly destination: D;
  /**
   * Raw config, secrets included: validated with the destination's schema (a bad config
   * throws `invalid_config`, naming a missing secret's environment variable). Secrets are
   * never logged, reported or stored.
   */
  readonly config: z.input<D['configSchema']>;
  /**
   * `sync`, `additive` or `enrich`; a mode the destination does not support throws
   * `unsupported_mode`.
   * @defaultValue the destination's default mode (or its only one)
   */
  readonly mode?: SyncMode | string | undefined;
  /** Where the records come from: `openSource` (a file or a stream), `recordsSource` (records in memory), or your own `RecordSource` (read twice per run). */
  readonly source: RecordSource;
  /** Where the sync's state lives: `SqliteStateStore` (a file), `MemoryStateStore` (the process's lifetime), or your own `StateStore`. */
  readonly state: StateStore;
  /**
   * Name of the source's primary-key column; part of the sync's identity.
   * @defaultValue none
   */
  readonly sourceKey?: string | undefined;
  /**
   * The sync's name; part of its identity. Feeds into the same destination object with
   * different names have separate state: one never sees the other's records as gone.
   * @defaultValue none (the CLI uses the source file's name)
   */
  readonly syncName?: string | undefined;
  /**
   * Overrides identity values of the config (e.g. a local emulator's URL, which changes
   * on every start, so that its syncs keep their state).
   * @defaultValue none
   */
  readonly identityOverrides?: Readonly<Record<string, unknown>> | undefined;
  /**
   * Plan only: look records up, send no write, change no state.
   * @defaultValue `false`
   */
  readonly dryRun?: boolean | undefined;
  /**
   * Group (campaign, tag, audience) name → destination id, for names that match several
   * groups in the destination: without a pinned id such a run is refused (`ambiguous_group`).
   * @defaultValue `{}`
   */
  readonly groupIds?: Readonly<Record<string, string>> | undefined;
  /**
   * Which records `sync` mode may delete: `owned` (created by this sync) or `matched`
   * (every record it has matched; they may hold notes made by people).
   * @defaultValue `'owned'`
   */
  readonly deletePolicy?: DeletePolicy | undefined;
  /** The deletion guard: refuses, before anything is sent, a run that would delete too much (`deletion_guard`) or whose source is empty (`empty_source`). */
  readonly guard?: DeletionGuardOptions | undefined;
  /** How calls are retried (5xx, timeouts, resets, rate limits). */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /**
   * Longest a call may wait for rate limits, ms: a `Retry-After` beyond it, or rate-limit
   * answers in a row whose waits add up beyond it (a destination that never says how long
   * to wait included), stop the run with `rate_limited`, state kept. Same as
   * `retry.maxRateLimitWaitMs` (this one wins).
   * @defaultValue `300000` (5 minutes)
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
   * @defaultValue none (only the run's own pacing)
   */
  readonly sharedLimiter?: SharedLimiter | undefined;
  /**
   * When positive, records a mode that cannot create skipped as `not_found` are
   * remembered, and while their source row is unchanged they are not looked up again until
   * this much time has passed (ms).
   * @defaultValue the destination's `recheckNotFoundAfterMs`, else `0` (looked up on every run)
   */
  readonly recheckNotFoundAfterMs?: number | undefined;
  /**
   * Looks every record of the source up again, unchanged ones too, instead of trusting state
   * for them: a record deleted (or archived) in the destination since this sync wrote it is
   * created (or restored) again where the mode creates, and one now found under another id is
   * written whole. An unchanged record whose destination record is still there sends nothing.
   * Costs the lookups of every record (one call per lookup batch). Audience destinations
   * cannot read their members: there it only repeats the comparison with state.
   * @defaultValue `false` (unchanged records are neither looked up nor sent)
   */
  readonly recheck?: boolean | undefined;
  /**
   * Changed records planned and sent together (memory vs batch fill).
   * @defaultValue the destination's `limits.windowSize`, else `10000`
   */
  readonly windowSize?: number | undefined;
  /**
   * Where the run logs (`debug`, `info`, `warn`, `error` with a context object); secrets are never passed to it.
   * @defaultValue `silentLogger` (nothing is logged)
   */
  readonly logger?: Logger | undefined;
  /**
   * How long the run waits, ms, while another run holds its sync (`sync_running`) or the
   * records it writes (`sync_overlap`), before it is refused: it tries again every 2 s and
   * logs once, at `warn`, what it waits for. `signal` ends the wait (the run is refused).
   * @defaultValue `0` (refused at once)
   */
  readonly waitForOtherRunMs?: number | undefined;
  /**
   * Stops the run when it aborts (Ctrl-C, SIGTERM, a worker shutting down): nothing more is
   * sent, calls in flight finish (for at most `inFlightGraceMs`), state records what was
   * acknowledged, and the summary has status `stopped` with reason `interrupted`.
   * @defaultValue none
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * After `signal` aborts, how long calls in flight may still take, ms. Then they are
   * abandoned: the verbs' `ctx.signal` aborts (a connector cancels its requests with it) and
   * the run ends without their answers, so a request that hangs never holds a stopped run
   * for its whole timeout. What an abandoned call did is not recorded, as after a lost
   * answer: the next run looks those records up again.
   * @defaultValue `3000`
   */
  readonly inFlightGraceMs?: number | undefined;
  /**
   * Called as the run progresses (scanning, syncing, waiting for a rate limit, stopped, done), for progress bars.
   * @defaultValue none
   */
  readonly onProgress?: ((progress: SyncProgress) => void) | undefined;
  /**
   * Called once per record as soon as its result is final.
   * @defaultValue none
   */
  readonly onResult?: ((result: RecordResult) => void) | undefined;
  /**
   * Keep every result in the summary's `results` (default false: a run holds nothing per
   * record; use `onResult` to stream results, e.g. into a `ReportTally` and a file).
   * @defaultValue `false`
   */
  readonly collectResults?: boolean | undefined;
}

/** Something the run tells the user about the run as a whole (e.g. a managed group recreated). */
export interface RunNotice {
  /** Stable snake_case code: `group_recreated`, `group_repopulated`, `group_deleted`, `audience_shared` (see `NOTICE_CODES`). */
  readonly code: string;
  readonly message: string;
}

/** How a run ended. */
export type RunStatus = 'completed' | 'refused' | 'stopped';

/** What {@link runSync} returns. */
export interface SyncRunSummary {
  /** The destination's id (`salesforce`). */
  readonly destination: string;
  /** The mode the run used. */
  readonly mode: SyncMode;
  /** True when nothing was sent: each result is what the run would do. */
  readonly dryRun: boolean;
  /** The sync's id: a hash of the destination, its identity options, `sourceKey` and `syncName`; its state is kept under it. */
  readonly syncId: string;
  /** `completed`; `refused` before anything was sent (deletion guard, empty source, another run holds the sync); `stopped` part-way (credentials, quota, rate limit, state, interrupted). */
  readonly status: RunStatus;
  /** Why the run was refused or stopped: a code (see `KIT_CODES`) and a message saying what to do; `retryable`: whether running again later may succeed without a change (a quota, a rate limit, an interruption) or not (credentials, a guard). */
  readonly reason?: { readonly code: string; readonly message: string; readonly retryable?: boolean | undefined } | undefined;
  /** Records by outcome: `created`, `updated`, `deleted`, `unchanged`, `skipped`, `failed`. */
  readonly counts: OutcomeCounts;
  /** Planned actions, by kind. */
  readonly actions: Record<PlannedAction, number>;
  /** One per input row, plus one per record that left the source — only with `collectResults: true` (else empty). */
  readonly results: RecordResult[];
  /** Calls and HTTP requests made, retries and rate-limit waits. */
  readonly stats: CallStats;
  /** What the run tells the user about the run as a whole (groups recreated or repopulated). */
  readonly notices: readonly RunNotice[];
  /** Wall time, ms. */
  readonly durationMs: number;
  /** Destination fields the run created or found (in a dry run: would create), from `prepareFields`, when it says. */
  readonly fields?: readonly PreparedField[] | undefined;
}
