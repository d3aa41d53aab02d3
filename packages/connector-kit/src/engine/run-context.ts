import type { AudienceLimits, AnyAudienceDestination } from '../destination/define-audience-destination';
import type { AnyRecordDestination } from '../destination/define-destination';
import type { DestinationLimits } from '../destination/limits';
import type { VerbContext } from '../destination/verbs';
import type { Logger } from '../logging/logger';
import type { SyncMode } from '../modes/sync-modes';
import type { RecordResult } from '../records/outcome';
import type { StateStore } from '../state/state-store';
import type { Caller } from './caller';
import type { GroupIdCache } from './group-id-cache';
import type { ClassifyContext, DeletePolicy } from './classify';
import type { DestinationClaims } from './destination-claims';
import type { StateWriter } from './state-writer';

/** What every step of a run shares, whatever the destination's kind. */
export interface BaseRunContext {
  readonly config: Record<string, unknown>;
  readonly verbs: VerbContext<Record<string, unknown>, unknown>;
  readonly mode: SyncMode;
  readonly deletePolicy: DeletePolicy;
  readonly dryRun: boolean;
  readonly syncId: string;
  /** For reads; every write goes through `writer`. */
  readonly state: StateStore;
  /** The run's only way to write state (fenced, nothing in a dry run, stops the run on failure). */
  readonly writer: StateWriter;
  readonly caller: Caller;
  readonly logger: Logger;
  /** Hands a final result to the run (counted, collected, reported). */
  readonly emit: (result: RecordResult) => void;
  /** Group ids resolved so far in this run (each group found or created once per run). */
  readonly groupIds: GroupIdCache;
  /** Which source record each destination record belongs to in this run. */
  readonly claims: DestinationClaims;
  /** What the first pass learned about the whole source. */
  readonly source: SourceFacts;
}

/** Facts about the whole source, from the first pass. */
export interface SourceFacts {
  /** True when a row with this id is in the source. */
  inSource(id: string): boolean;
  /** The source record with this normalised match key, if any. */
  keyHolder(key: string): string | undefined;
}

/** Shared by the steps of a run into a record destination. */
export interface RunContext extends BaseRunContext {
  readonly destination: AnyRecordDestination;
  readonly limits: DestinationLimits;
  readonly classify: ClassifyContext;
  /** Remember records skipped as `not_found` (the recheck window is positive). */
  readonly rememberNotFound: boolean;
}

/** Shared by the steps of a run into an audience destination. */
export interface AudienceRunContext extends BaseRunContext {
  readonly destination: AnyAudienceDestination;
  readonly limits: AudienceLimits;
}
