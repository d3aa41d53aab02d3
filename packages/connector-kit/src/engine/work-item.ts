import type { FoundRecord } from '../destination/verbs';
import type { SyncError } from '../errors/sync-error';
import type { PlannedAction, RecordOutcome, RecordResult } from '../records/outcome';
import type { Properties, PropertyValue, RecordSnapshot } from '../records/types';
import type { StateEntry } from '../state/state-store';

/** What the planner decided for one record. */
export interface Plan {
  readonly action: PlannedAction;
  /** The outcome if every step succeeds. */
  readonly outcome: RecordOutcome;
  /** Why (snake_case), for skips and informational outcomes. */
  readonly code?: string | undefined;
  /** A sentence for the report. */
  readonly message: string;
  /** Properties to send (create: all non-empty; update: changed only, `null` clears). */
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /** Restore an archived destination record before updating it. */
  readonly restore: boolean;
  readonly addGroups: readonly string[];
  readonly removeGroups: readonly string[];
  /** After its group removals, remember the record as departed (left the source, kept). */
  readonly depart: boolean;
}

/** The engine's working copy of one record during a run. */
export interface WorkItem {
  readonly ref: number;
  readonly recordId: string;
  readonly row: number | undefined;
  /** The new snapshot, or `null` when the record left the source. */
  readonly next: RecordSnapshot | null;
  /** The sync's state for this record, if any. */
  readonly entry: StateEntry | undefined;
  /** Normalised match key of `next` (or of the state's snapshot for departed records). */
  matchKey: string | undefined;
  /** Normalised match key of the previous snapshot, when it differs from `matchKey`. */
  previousMatchKey: string | undefined;
  found: FoundRecord | undefined;
  plan: Plan | undefined;
  /** The destination id once known (found, or created). */
  destinationId: string | undefined;
  /** True when this sync created the destination record. */
  owned: boolean;
  /** Properties the destination holds as far as this run knows. */
  appliedProperties: Properties;
  /** Managed groups the record is in as far as this run knows (held groups, for a pending entry). */
  appliedGroups: Set<string>;
  /** Group changes acknowledged in this run: `add:<group>` / `remove:<group>`. */
  readonly groupOps: Set<string>;
  /** The main write (create / update / delete) succeeded. */
  written: boolean;
  /** First error of a step after the main write (group membership). */
  stepError: SyncError | undefined;
  /** Final result, once decided. */
  result: RecordResult | undefined;
  /** Every planned change was acknowledged: nothing is outstanding for state. */
  settled?: boolean | undefined;
  /** For a record that left the source: the current source record that holds its destination record (never deleted then). */
  claimedBy?: string | undefined;
  /** The state write recording an acknowledged change failed (the run is stopping): why. */
  unrecorded?: SyncError | undefined;
}

/** Builds a work item for a record (from the source, or from state when it left the source). */
export function newWorkItem(
  ref: number,
  recordId: string,
  row: number | undefined,
  next: RecordSnapshot | null,
  entry: StateEntry | undefined,
): WorkItem {
  return {
    ref,
    recordId,
    row,
    next,
    entry,
    matchKey: undefined,
    previousMatchKey: undefined,
    found: undefined,
    plan: undefined,
    destinationId: entry?.destinationId ?? undefined,
    owned: entry?.owned ?? false,
    appliedProperties: entry?.snapshot.properties ?? {},
    appliedGroups: new Set(entry?.snapshot.groups ?? []),
    groupOps: new Set(),
    written: false,
    stepError: undefined,
    result: undefined,
  };
}
