import type { AnyAudienceDestination, AudienceLimits } from '../../destination/define-audience-destination';
import type { AnyRecordDestination } from '../../destination/define-destination';
import type { DestinationLimits } from '../../destination/limits';
import type { VerbContext } from '../../destination/verbs';
import type { Logger } from '../../logging/logger';
import type { DeletePolicy } from '../../modes/permits';
import type { SyncMode } from '../../modes/sync-modes';
import type { RecordResult } from '../../records/outcome';
import type { StateStore } from '../../state/state-store';
import type { Caller } from '../calls/caller';
import type { GroupIdCache } from '../groups/group-id-cache';
import type { DestinationClaims } from '../steps/destination-claims';
import type { StateWriter } from '../ledger/state-writer';
import type { ValueCarriers } from '../steps/value-carriers';

/** Facts about the whole source, from the first pass. */
export interface SourceFacts {
  /** True when a row with this id is in the source. */
  inSource(id: string): boolean;
  /** The source record with this normalised match key, if any. */
  keyHolder(key: string): string | undefined;
  /** True when several source records have this normalised match key (each fails `duplicate_match_key`). */
  keyShared(key: string): boolean;
  /** Audiences matched by any of several identifiers: the source records other than `except` with any of `keys` (see `identityKeys`); none otherwise. */
  identityHolders(keys: readonly string[], except: string): string[];
  /** True when the record's rows are refused without a call in this run (`duplicate_record_id`, `duplicate_match_key`, `missing_match_key`, a row that could not be read): it takes no new identifiers, and gives none up. */
  refused(id: string): boolean;
  /** Rows with an id that could not be read (their values unknown): each may be any record under another id. */
  readonly unreadRows: number;
  /** Why the records missing from the source may still be in it (rows unreadable or without an id, ids on several rows), if they may: see `departuresUncertain`. */
  readonly departuresUncertain: string | undefined;
}

/** What every step of a run shares, whatever the destination's kind. */
export interface BaseRunContext {
  readonly config: Record<string, unknown>;
  readonly verbs: VerbContext<Record<string, unknown>, unknown>;
  readonly mode: SyncMode;
  readonly deletePolicy: DeletePolicy;
  readonly dryRun: boolean;
  readonly syncId: string;
  /** For reads; every write goes through `writer` (from the ledger). */
  readonly state: StateStore;
  /** The run's only way to write state (fenced by its lease, nothing in a dry run, stops the run on failure). */
  readonly writer: StateWriter;
  /** Every destination call goes through it: paced, retried, counted, abortable. */
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
  /** The destination's name and match key's name, for messages ("Salesforce", "Email"). */
  readonly destinationName: string;
  readonly matchKeyLabel: string;
  /** The name of the identifier a match key is (`matchKeyName`), for messages; absent: the label. */
  readonly matchKeyName?: ((key: string) => string) | undefined;
}

/** Shared by the steps of a run into a record destination. */
export interface RecordRunContext extends BaseRunContext {
  readonly kind: 'records';
  readonly destination: AnyRecordDestination;
  readonly limits: DestinationLimits;
  /** Whether the destination manages group membership with this config. */
  readonly groupsEnabled: boolean;
  /** The destination's key of a group name (`groupKey`; default lowercased): names with one key are one membership. */
  readonly groupKey: (name: string) => string;
  /** Remember records skipped as `not_found` (the recheck window is positive). */
  readonly rememberNotFound: boolean;
  /** `create` upserts by match key with this config (`DestinationDefinition.createUpserts`). Decided once per run. */
  readonly createIsUpsert: boolean;
  /**
   * Records with no state are created without a lookup: `create` upserts by match key
   * (`DestinationDefinition.createUpserts`), the mode creates, this is not a dry run, no
   * record this sync wrote before changed in this run (none can have moved its key onto a
   * new record's), and no identifier besides the key is in the source (none
   * can be found on a record another row's key names: `refuseForeignIdentities`). Decided
   * once per run.
   */
  readonly upsertCreates: boolean;
  /** Rows whose new key comes with a departing record's values: refused, and that record kept. */
  readonly carriers: ValueCarriers;
  /**
   * Records of later windows to refuse because their identifier is on a destination record
   * another row's key found (`refuseForeignIdentities`): record id → the refusal, for the
   * whole run.
   */
  readonly foreignHolds: Map<string, { readonly destinationId: string; readonly message: string }>;
  /**
   * Identifier besides the match key (`identityKeys`) → the record with state that had it and
   * whose row no longer does, read before the windows when a run has several (see
   * `readGivers`); undefined otherwise.
   */
  readonly identityGivers?: ReadonlyMap<string, string> | undefined;
  /** Previous match key → the record still in the source that had it and no longer does, read like `identityGivers`. */
  readonly keyGivers?: ReadonlyMap<string, string> | undefined;
}

/** Shared by the steps of a run into an audience destination. */
export interface AudienceRunContext extends BaseRunContext {
  readonly kind: 'audience';
  readonly destination: AnyAudienceDestination;
  readonly limits: AudienceLimits;
}

/** The context of a run into either kind of destination. */
export type RunContext = RecordRunContext | AudienceRunContext;
