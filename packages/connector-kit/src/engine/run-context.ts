import type { AnyDestination } from '../destination/define-destination';
import type { DestinationLimits } from '../destination/limits';
import type { VerbContext } from '../destination/verbs';
import type { Logger } from '../logging/logger';
import type { SyncMode } from '../modes/sync-modes';
import type { RecordResult } from '../records/outcome';
import type { StateStore } from '../state/state-store';
import type { Caller } from './caller';
import type { ClassifyContext } from './classify';

/** Shared by the steps of one run. */
export interface RunContext {
  readonly destination: AnyDestination;
  readonly config: Record<string, unknown>;
  readonly verbs: VerbContext<Record<string, unknown>, unknown>;
  readonly mode: SyncMode;
  readonly limits: DestinationLimits;
  readonly dryRun: boolean;
  readonly syncId: string;
  readonly state: StateStore;
  readonly caller: Caller;
  readonly classify: ClassifyContext;
  /** Remember records skipped as `not_found` (the recheck window is positive). */
  readonly rememberNotFound: boolean;
  readonly logger: Logger;
  /** Hands a final result to the run (counted, collected, reported). */
  readonly emit: (result: RecordResult) => void;
}
