/**
 * Which source record each destination record belongs to in this run: the first source
 * record (in source order) that resolved to a destination record claims it. A later
 * source record resolving to the same destination record must not write to it (it would
 * overwrite the first one's values), and a record that left the source must not delete a
 * destination record a current record has claimed (the person is still in the source,
 * under another id).
 */
export class DestinationClaims {
  private readonly holders = new Map<string, string>();
  private readonly unclear = new Set<string>();

  /** Notes that `recordId`'s row was refused in this run because who it is could not be told (see {@link IDENTITY_REFUSALS}). */
  refuse(recordId: string): void {
    this.unclear.add(recordId);
  }

  /** True when `recordId`'s row was refused in this run because who it is could not be told. */
  refused(recordId: string): boolean {
    return this.unclear.has(recordId);
  }

  /**
   * Claims `destinationId` for `recordId`. Returns the id of the source record that holds
   * it already, when that is another record (the claim is then refused), else `undefined`.
   */
  claim(destinationId: string, recordId: string): string | undefined {
    const holder = this.holders.get(destinationId);
    if (holder !== undefined && holder !== recordId) return holder;
    this.holders.set(destinationId, recordId);
    return undefined;
  }

  /** The source record that claimed `destinationId` in this run, if any. */
  holder(destinationId: string): string | undefined {
    return this.holders.get(destinationId);
  }
}

/** Refusals that say a row's person could not be told: its key says nothing sure about whose record it is. */
export const IDENTITY_REFUSALS: ReadonlySet<string> = new Set(['identity_unclear']);
