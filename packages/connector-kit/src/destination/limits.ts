/** How a destination's API wants to be called. Units: records per call, calls, ms. */
export interface DestinationLimits {
  /** Most records per create / update / delete call (Salesforce collections: 200). */
  readonly writeBatchSize: number;
  /** Most match keys per lookup call. */
  readonly lookupBatchSize: number;
  /** Most members per add-to-group / remove-from-group call. */
  readonly groupBatchSize: number;
  /** Most calls in flight at once. */
  readonly concurrency: number;
  /** Client-side pacing: at most `requests` calls per `intervalMs`. */
  readonly rateLimit?: { readonly requests: number; readonly intervalMs: number } | undefined;
}

/** Checks limits are positive integers; returns them unchanged. */
export function checkLimits(destination: string, limits: DestinationLimits): DestinationLimits {
  for (const key of ['writeBatchSize', 'lookupBatchSize', 'groupBatchSize', 'concurrency'] as const) {
    const v = limits[key];
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`Destination "${destination}": limits.${key} must be a positive integer, got ${v}`);
    }
  }
  return limits;
}
