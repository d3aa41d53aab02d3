import type { FoundRecord } from '../../destination/verbs';
import type { SyncError } from '../../errors/sync-error';
import type { PlannedAction, RecordOutcome, RecordResult } from '../../records/outcome';
import type { Properties, PropertyValue, RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';

/**
 * An operation of a plan the destination acknowledged: the record write (`write`), or one
 * group change (`add:<group>`, `remove:<group>`); `found:<group>`: the add of that group was answered "already a
 * member" (see `StateSnapshot.found`); `others:<group>`: and the destination proved another
 * user made that membership (`ItemResult.madeByOther`).
 */
export type OpKey = 'write' | `add:${string}` | `remove:${string}` | `found:${string}` | `others:${string}`;

/** What the planner decided for one record. */
export interface Plan {
  readonly action: PlannedAction;
  /** The outcome if every operation is acknowledged. */
  readonly outcome: RecordOutcome;
  /** Why (snake_case), for skips and informational outcomes. */
  readonly code?: string | undefined;
  /** A sentence for the report. */
  readonly message: string;
  /** The plan includes a record write (create, update, delete or restore), besides group changes. */
  readonly write: boolean;
  /** Properties to send (create: all non-empty; update: changed only, `null` clears). */
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /** Restore an archived destination record before updating it. */
  readonly restore: boolean;
  readonly addGroups: readonly string[];
  readonly removeGroups: readonly string[];
  /** After its group removals, remember the record as departed (left the source, kept). */
  readonly depart: boolean;
  /** Audiences: the identity whose memberships are removed (the previous one when identifiers changed). */
  readonly removeIdentity?: Properties | undefined;
  /** Audiences: the previous identity, when it stays linked to the member the new one joins (see `StateSnapshot.linked`). */
  readonly linkIdentity?: Properties | undefined;
  /**
   * Audiences: where the previous identity stays (a record sharing one of its identifiers is
   * there) while the new one is a member of its own: kept as an entry of its own
   * (`earlier-identity.ts`), removed once nobody shares it.
   */
  readonly keepIdentityIn?: readonly string[] | undefined;
}

/**
 * One record of a window, as the ledger holds it. Only the ledger's reducer
 * (`reduce.ts`) changes it; engine steps read it through {@link RecordView}.
 */
export interface LedgerRecord {
  readonly ref: number;
  readonly recordId: string;
  readonly row: number | undefined;
  /** The new snapshot, or `null` when the record left the source. */
  readonly next: RecordSnapshot | null;
  /** The sync's state for this record, if any. */
  readonly entry: StateEntry | undefined;
  /** Normalised match key of `next` (or of the state's snapshot for a record that left). */
  readonly matchKey: string | undefined;
  /** Normalised match key of the previous snapshot, when it differs from `matchKey`. */
  readonly previousMatchKey: string | undefined;
  found: FoundRecord | undefined;
  /**
   * Destination records the lookup found by another identifier (an email) that hold another
   * key (`FoundRecord.otherKey`) and were not taken for this record: someone else's. Only for
   * the result's message of a record left unmatched.
   */
  passedOver: readonly FoundRecord[] | undefined;
  /**
   * A record that left the source whose lookup failed while a new row carrying its values
   * was written in this run (`ValueCarriers.releasableTo`): the failure, which stands unless
   * the claim releases the record, which needs no lookup (see `claimRecords`).
   */
  lookupFailure: Omit<RecordResult, 'id' | 'row'> | undefined;
  /**
   * For a record that left the source: the current source record that holds its destination
   * record. On an audience destination, also for a record whose identifiers changed: the
   * current record that now has its previous identifiers.
   */
  claimedBy: string | undefined;
  /** The managed groups the holder is in (its state; on an audience destination, also those it joins in this window). */
  holderGroups: readonly string[] | undefined;
  /** The holder's own row is refused in this run (`SourceFacts.refused`): it does not take this record's identifiers now. */
  holderRefused: boolean;
  /** The holder was refused (`identity_unclear`) because its row describes this record (`ValueCarriers`), not because it has its key or destination record. */
  claimedByValues: boolean;
  /** Claimed by values by a new row written as a record of its own: kept as it is and forgotten (no longer tracked). */
  released: boolean;
  /** Audiences: other current records sharing an identifier the record's state holds (Meta may see one person). */
  sharedWith: readonly string[] | undefined;
  /** The audiences those records are in (their state, and joins in this window): never left by this record. */
  sharedGroups: readonly string[] | undefined;
  /** Audiences: the record's new identifiers name the member its previous ones (or their linked identities) did. */
  identityOverlaps: boolean;
  /** Left the source: the other syncs of the destination that track its destination record as in their source (see `StateStore.trackedElsewhere`). */
  trackedElsewhere: readonly string[] | undefined;
  /** Audiences: the audiences it leaves where those syncs have its member (see `findOtherSyncMembers`): never left by this record. */
  elsewhereGroups: readonly string[] | undefined;
  /** Audiences: identities linked to it in this run by re-keys to it (see `transferClaimed`). */
  inheritedLinks: readonly Properties[] | undefined;
  /** The destination id once known (found, or created). */
  destinationId: string | undefined;
  /** True when this sync created the destination record. */
  owned: boolean;
  plan: Plan | undefined;
  /**
   * Operations of the plan the destination acknowledged in this run. Never changed in
   * place: `reduce` replaces it (see `withAck`), so records share the common sets.
   */
  acked: ReadonlySet<OpKey>;
  /** The create was answered with an existing record (updated instead; not owned). */
  existing: boolean;
  /** First failure of a group change (the record write, if any, stands). */
  groupError: SyncError | undefined;
  /**
   * Groups the record was to join whose addition was never sent: the group could not be
   * found or created (see `resolveGroupsOf`). State does not count the record their member,
   * so the next run's group check does not take the group for one deleted or emptied.
   */
  unsentAdds: ReadonlySet<string>;
  /** First refusal that leaves the record pending for a later run (audiences). */
  deferred: SyncError | undefined;
  /** A removal whose group no longer exists (it counts as done): why, for the result. */
  groupGone: SyncError | undefined;
  /** Record destinations: groups it left whose removal was not sent because other syncs sharing the state have that membership from their source (by name), for the result. */
  keptElsewhere: readonly { readonly group: string; readonly syncs: readonly string[] }[] | undefined;
  /** A final result decided before everything was sent (lookup, claim, validation or write failure; a skip). */
  result: RecordResult | undefined;
  /** Write-ahead mark written for it. */
  marked: boolean;
  /** The write failed after part of it was applied (`SyncErrorOptions.partlyApplied`): its write-ahead mark stays. */
  partlyApplied: boolean;
  /** A call carrying its record write was handed to the destination (it may have been applied, answered or not). */
  dispatched: boolean;
  /** An acknowledged change that state could not record (the run is stopping): why. */
  unrecorded: SyncError | undefined;
}

/** A read-only view of a ledger record, for the engine's steps. */
export type RecordView = Readonly<LedgerRecord>;

/** No operation acknowledged: shared by every record that has none. */
const NO_ACKS: ReadonlySet<OpKey> = new Set();
/** No group left unsent: shared by every record. */
const NO_GROUPS: ReadonlySet<string> = new Set();
/** Only the record write acknowledged (most records): shared. */
const WRITE_ACKED: ReadonlySet<OpKey> = new Set(['write']);

/**
 * `acked` with `op` added, as a new set (or a shared one): a window of 100,000 records
 * holds two shared sets instead of 100,000 (about 200 bytes a record).
 */
export function withAck(acked: ReadonlySet<OpKey>, op: OpKey): ReadonlySet<OpKey> {
  if (acked.has(op)) return acked;
  if (acked.size === 0 && op === 'write') return WRITE_ACKED;
  const next = new Set(acked);
  next.add(op);
  return next;
}

/** A record entering a window: from the source, or from state when it left the source. */
export interface WindowInput {
  readonly ref: number;
  readonly recordId: string;
  readonly row: number | undefined;
  readonly next: RecordSnapshot | null;
  readonly entry: StateEntry | undefined;
  readonly matchKey: string | undefined;
  readonly previousMatchKey: string | undefined;
}

/**
 * A fresh ledger record. Every field is written out in one literal (no `...input` spread):
 * a spread followed by a dozen more fields gave each record a hidden class of its own in
 * V8 (about 650 bytes a record, 65 MB for a window of 100,000 records).
 */
export function ledgerRecord(input: WindowInput): LedgerRecord {
  return {
    ref: input.ref,
    recordId: input.recordId,
    row: input.row,
    next: input.next,
    entry: input.entry,
    matchKey: input.matchKey,
    previousMatchKey: input.previousMatchKey,
    found: undefined,
    passedOver: undefined,
    lookupFailure: undefined,
    claimedBy: undefined,
    holderGroups: undefined,
    holderRefused: false,
    claimedByValues: false,
    released: false,
    sharedWith: undefined,
    sharedGroups: undefined,
    identityOverlaps: false,
    inheritedLinks: undefined,
    trackedElsewhere: undefined,
    elsewhereGroups: undefined,
    destinationId: input.entry?.destinationId ?? undefined,
    owned: input.entry?.owned ?? false,
    plan: undefined,
    acked: NO_ACKS,
    existing: false,
    groupError: undefined,
    unsentAdds: NO_GROUPS,
    deferred: undefined,
    groupGone: undefined,
    keptElsewhere: undefined,
    result: undefined,
    marked: false,
    partlyApplied: false,
    dispatched: false,
    unrecorded: undefined,
  };
}
