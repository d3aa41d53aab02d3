import type { CallKind } from '../engine/calls/caller';

/** How a destination's API wants to be called. Units: records per call, calls, ms. */
export interface DestinationLimits {
  /** Most records per create / update / delete call (Salesforce collections: 200). */
  readonly writeBatchSize: number;
  /** Most match keys per lookup call. */
  readonly lookupBatchSize: number;
  /**
   * Whether a lookup call is one request per record (the API has no batch lookup: OneSignal's
   * view-user read). A call that still fails after its retries is then split like a refused
   * one, so that one record's failing read does not fail the others of its call. Default false:
   * a batch lookup failing retryably fails its records (they are retried by the next run).
   */
  readonly lookupPerRecord?: boolean | undefined;
  /** Most members per add-to-group / remove-from-group call. */
  readonly groupBatchSize: number;
  /**
   * Whether a window's last updates and first creates may share one batch through the
   * destination's `createAndUpdate` verb (see `RecordVerbs.createAndUpdate`). Default: true when the verb
   * exists. A destination turns it off where sharing saves nothing (e.g. Salesforce's Bulk API
   * runs, whose jobs take one operation each).
   */
  readonly sharedBatch?: boolean | undefined;
  /** Most calls in flight at once. */
  readonly concurrency: number;
  /** Client-side pacing: at most `requests` calls per `intervalMs`, a call counted from its start until `intervalMs` after its answer (so however long a call takes to reach the vendor, no window of the vendor sees more). */
  readonly rateLimit?: DestinationRateLimit | undefined;
  /**
   * Changed records planned and sent together (one window: looked up, classified, then
   * written in batches of `writeBatchSize`). A destination whose best call takes more
   * records than the default window (a bulk job) raises it. The run's own `windowSize`
   * option wins. Default 10,000.
   */
  readonly windowSize?: number | undefined;
}

/**
 * A vendor's rate limit as the kit paces it: at most `requests` calls per `intervalMs`,
 * each counted from its start until `intervalMs` after its answer.
 */
export interface DestinationRateLimit {
  /** Calls per interval. */
  readonly requests: number;
  /** The interval, ms. */
  readonly intervalMs: number;
  /**
   * The call kinds the limit counts; the others are only held to `concurrency` (and to any
   * pacing of their own the connector does). Default: every call. OneSignal's app limit
   * counts user updates, not the view-user reads that find them.
   */
  readonly callKinds?: readonly CallKind[] | undefined;
}

/**
 * How big a run is, known after the first pass over the source and before anything is
 * sent: what a destination's `limits` may depend on (e.g. switching to a bulk API above a
 * threshold of changed records). Units: records.
 */
export interface RunVolume {
  /** Records whose snapshot differs from the sync's state (or that are new): the ones looked up and maybe written. */
  readonly changed: number;
  /** Records that left the source and will be looked at (deleted, or taken out of groups). */
  readonly departing: number;
}

/** Checks limits are positive integers (`windowSize` when given); returns them unchanged. @throws Error naming the bad limit. */
export function checkLimits(destination: string, limits: DestinationLimits): DestinationLimits {
  for (const key of ['writeBatchSize', 'lookupBatchSize', 'groupBatchSize', 'concurrency', 'windowSize'] as const) {
    const v = limits[key];
    if (key === 'windowSize' && v === undefined) continue;
    if (!Number.isInteger(v) || (v as number) < 1) {
      throw new Error(`Destination "${destination}": limits.${key} must be a positive integer, got ${v}`);
    }
  }
  return limits;
}
