import type { z } from 'zod';
import type { CodeInfo } from '../errors/codes';
import type { SyncError } from '../errors/sync-error';
import type { Logger } from '../logging/logger';
import { SYNC_MODES, type SyncMode } from '../modes/sync-modes';
import type { PropertyValue, RecordSnapshot } from '../records/types';
import { checkLimits, type DestinationLimits, type RunVolume } from './limits';
import type { RecordVerbs, VerbContext, WriteItem } from './verbs';

/** What `connect` receives. */
export interface ConnectContext {
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

/** What {@link DestinationDefinition.prepareFields} learns about the run besides the field names. */
export interface PrepareFieldsInput {
  /**
   * Up to {@link FIELD_SAMPLE_LIMIT} distinct non-empty values per property name, in source
   * order (e.g. to derive the type of a custom attribute the destination must create). When
   * those are all numbers a numeric field keeps as written (`isCanonicalNumber`; all whole, or
   * not), one more: the first later value that is not such a number (`02134`, `1.50`, `2.5`
   * after whole numbers, `N/A`), so a type derived from the sample fits every value.
   */
  readonly samples: ReadonlyMap<string, readonly PropertyValue[]>;
  /** True in a dry run: report what would be prepared, change nothing in the destination. */
  readonly dryRun: boolean;
}

/**
 * What {@link DestinationDefinition.prepareFields} did, or in a dry run would do, for one
 * destination field the mapping writes. Carried to `SyncRunSummary.fields`, so that a dry
 * run shows the type a new field would get before anything is created.
 */
export interface PreparedField {
  /** The field's name in the destination (e.g. `zip` for Intercom's `custom_attributes.zip`). */
  readonly name: string;
  /** Its type in the destination's terms (e.g. `string`, `integer`, `date`). */
  readonly type: string;
  /** What the destination calls such a field, for messages (e.g. `data attribute`, `custom field`). Default `field`. */
  readonly kind?: string | undefined;
  /** `create`: created by this run (a dry run: would be); `exists`: already in the destination. */
  readonly action: 'create' | 'exists';
  /** Why this type, for a field to create (e.g. how it was inferred from the sample values). */
  readonly reason?: string | undefined;
}

/** Most sample values per property given to {@link DestinationDefinition.prepareFields}. */
export const FIELD_SAMPLE_LIMIT = 100;

/** A record about to be sent, for {@link DestinationDefinition.validate}. */
export interface ValidationItem extends WriteItem {
  readonly action: 'create' | 'update';
}

/**
 * A record destination: one destination record per source record (Salesforce Contacts,
 * Intercom contacts, OneSignal users), with optional group membership.
 *
 * `Schema` is the zod config schema; `Client` is whatever `connect` returns (an SDK
 * client plus cached metadata).
 *
 * Audience destinations (membership only, e.g. Facebook Custom Audiences) will be a
 * second `kind`; the mode contract is the same.
 */
export interface DestinationDefinition<Schema extends z.ZodType = z.ZodType, Client = unknown> {
  readonly kind: 'records';
  /** Short id used by the CLI (`--to salesforce`). Lowercase, no spaces. */
  readonly id: string;
  readonly displayName: string;
  readonly description?: string | undefined;
  /** The vendor's API docs. */
  readonly docsUrl?: string | undefined;
  /** The config schema: the single source of types, validation, docs and JSON Schema. */
  readonly configSchema: Schema;
  /** Modes this destination can honour. */
  readonly syncModes: readonly SyncMode[];
  /** Mode used when none is given (required when more than one mode is supported). */
  readonly defaultSyncMode?: SyncMode | undefined;
  /** Why an unsupported mode is missing, shown when a user asks for it. */
  readonly unsupportedModeReasons?: Partial<Record<SyncMode, string>> | undefined;
  /**
   * Batch sizes, concurrency, pacing and window size. A function may depend on the config
   * and on the run's volume (known after the first pass over the source, before anything is
   * sent): e.g. Salesforce switches to Bulk API 2.0 jobs above a number of changed records.
   * The mode contract does not change with the limits: the kit still plans every record.
   */
  readonly limits: DestinationLimits | ((config: z.output<Schema>, run: RunVolume) => DestinationLimits);
  /** Human name of the match key for messages (e.g. `Email`). */
  matchKeyLabel(config: z.output<Schema>): string;
  /**
   * The name of the identifier one of its match keys is, for messages (e.g. `EMAIL` for a
   * key `EMAIL:<hash>`): a `duplicate_match_key` failure names the key the records share.
   * Default: the match key label.
   */
  matchKeyName?(key: string, config: z.output<Schema>): string;
  /**
   * The property names (mapping targets) the match key is read from, e.g. `['EMAIL', 'PHONE']`.
   * When given, a run is refused as `match_key_not_mapped` only when the records carry none
   * of them (decided from the mapping): a mapped one whose values are all unusable gives each
   * record its own result (`explainMissingKey`). Without it, a run none of whose records has
   * a match key is refused.
   */
  matchKeyFields?(config: z.output<Schema>): readonly string[];
  /**
   * A source record whose match-key value the destination refuses before any lookup, e.g. an
   * id a spreadsheet wrote as `4.479E+11` (`isSpreadsheetExponent`): the record has no match
   * key and fails alone with this error. Asked of source records only, never of state: a
   * record written before, leaving the source, still gets its key from `matchKey` (and is
   * found and removed as it was written).
   */
  refuseKey?(snapshot: RecordSnapshot, config: z.output<Schema>): SyncError | undefined;
  /**
   * Why a record has no usable match key when `matchKey` refused a value it has (its error
   * fails that record alone, instead of `missing_match_key`), e.g. an id the API cannot
   * address. Undefined: the kit's `missing_match_key`.
   */
  explainMissingKey?(snapshot: RecordSnapshot, config: z.output<Schema>): SyncError | undefined;
  /**
   * The record's normalised match key, or `undefined` when it has none. The same
   * normalisation is used for lookups, comparisons and duplicate detection (trim; case-fold
   * where the destination compares case-insensitively).
   */
  matchKey(snapshot: RecordSnapshot, config: z.output<Schema>): string | undefined;
  /**
   * The record's identifiers besides its match key, normalised, each as one string (e.g.
   * `email:<lowercased email>` where the match key is an external id): values that name one
   * person at the vendor as surely as the key does (Intercom also finds a contact by email;
   * Salesforce's duplicate rules match Contacts by Email). Omit when the match key is the only
   * one, or return none for a config whose key is already that identifier. The kit follows
   * them between records the way it follows match keys (`refuseIdentityMoves`): a row taking
   * another record's identifier while that record takes a third's (ids shifted, swapped,
   * reused) is refused `identity_unclear`, and a record leaving the source whose identifier a
   * row now has is not deleted. Where the match key varies by row (Intercom: an external_id,
   * else an email), give them in the match keys' format: a row that found nothing and whose
   * match key is another current row's identifier is refused `identity_unclear` rather than
   * created beside that row's record. Memory: the scan indexes them for every row (a string table).
   */
  identityKeys?(snapshot: RecordSnapshot, config: z.output<Schema>): readonly string[];
  /** Human name of the identifiers of `identityKeys` for messages (default `identifier`; e.g. `Email`). */
  identityLabel?(config: z.output<Schema>): string;
  /**
   * The records a sync writes, from the values of its identity settings (after the run's
   * `identityOverrides`): two syncs with equal targets write the same records and never run
   * at once (`sync_overlap`, see `targetLeaseKey`). Leave out the settings that do not change
   * which records are written (Salesforce's match field) and fold the spellings of one name
   * the vendor treats as one (an sObject name's letter case). http(s) URLs among the values
   * are compared by origin and path, without a trailing slash, by the kit.
   * Default: every identity setting.
   */
  writeTarget?(identity: Readonly<Record<string, unknown>>): Record<string, unknown>;
  /**
   * What a user does, in the vendor's app or API, when two destination records are one
   * person and one of them must give its key up, for `match_key_taken` messages (after "if
   * it is that person, "). Default: `merge the two <displayName> records`. Give it where the
   * vendor cannot merge records (OneSignal: remove the other user's alias, or delete it).
   */
  readonly duplicateRemedy?: string | undefined;
  /**
   * True when `find` may miss a record written moments ago (an eventually consistent search)
   * and does not read `LookupRequest.knownId` by id for `confirmKnown` requests. A record that
   * left the source whose key then finds only other records is refused (`ambiguous_match`,
   * nothing changed, still tracked: its own record may only be unsearchable yet) instead of
   * forgotten as gone. A departure its key finds nothing for is forgotten in any case: a
   * destination whose search lags should read `knownId` by id at least then (Salesforce and
   * Intercom do). Default false: a destination that reads `knownId` for `confirmKnown`
   * requests or whose lookups see every write needs nothing.
   */
  readonly lookupLags?: boolean | undefined;
  /** Builds the SDK client (and loads metadata such as field descriptions). */
  connect(config: z.output<Schema>, ctx: ConnectContext): Promise<Client>;
  disconnect?(client: Client): Promise<void>;
  /**
   * Where group membership lives. `verbs` (the default): groups are objects of their own
   * (Salesforce campaigns, Intercom tags) changed through `verbs.groups` after the record
   * write. `record`: membership is a value of the record itself (OneSignal data tags): the
   * kit plans the groups to join and leave as usual and hands them to `create` / `update`
   * in `WriteItem.groups`, in the same call as the properties; a record whose only change
   * is its groups is sent to `update` too. Such a destination declares no group verbs.
   */
  readonly groupMembership?: 'verbs' | 'record' | undefined;
  /**
   * The destination's key of a group name: two names with one key are one membership there
   * (OneSignal: one data tag, `VIP Customers` and `vip-customers` both `in_vip_customers`).
   * The kit compares by this key the groups of memberships kept in the record (whose an add
   * is, which removal another row or sync still wants: `record-memberships.ts`) and the groups
   * a departing record's holder is in. Group-verb destinations are compared by name lowercased,
   * or by the group id a run resolved. Default: the name lowercased (Salesforce and Intercom
   * compare campaign and tag names case-insensitively).
   */
  groupKey?(name: string, config: z.output<Schema>): string;
  /**
   * How long a record that was looked up and not found is trusted to stay absent while its
   * source row is unchanged, ms: within the window it is skipped as `not_found` without a
   * lookup. Default 0: looked up on every run. For destinations whose lookups are
   * expensive (OneSignal: one rate-limited request per person). A run may override it
   * (`RunSyncOptions.recheckNotFoundAfterMs`).
   */
  readonly recheckNotFoundAfterMs?: number | undefined;
  /**
   * Properties that only identify the record and are never written to it (OneSignal's
   * `external_id`: the alias the app's SDK set, the path of every request). On a record's
   * first match (no state yet) they are not counted as changes: a record with nothing
   * else to send and no group to join is `unchanged`, and its verbs are not called. Never
   * counted in a result's "Updated N field(s)". Default: none (every property is written).
   */
  readonly unwrittenProperties?: readonly string[] | undefined;
  /**
   * Whether `verbs.create` is an upsert keyed by the match key with this config and client
   * (e.g. Salesforce with an external-id match field: Bulk API 2.0 `upsert` jobs and sObject
   * Collections upsert). Decided once per run, after `connect`. When true, in a mode that
   * creates (`sync`, `additive`) and outside a dry run, the kit does not look up records it
   * has no state for and whose match key did not change: it plans them as creates and the
   * destination decides create vs update. `create` must then answer, per item, `{ ok: true,
   * id }` for a record it created (owned by this sync), `{ ok: true, id, existing: true }` for
   * one it updated (reported `updated`, matched, not owned: `sync` mode does not delete it),
   * and `SyncError('ambiguous_match', …)` when several destination records hold the key
   * (nothing written to any of them). Records with state, records that left the source,
   * enrich runs and dry runs are still looked up; so is every record of a run in which
   * records this sync wrote before changed (one may have moved its key onto a new record's,
   * which only a lookup tells: `duplicate_destination_record`), and every record of a run
   * whose source has any identifier besides the key (`identityKeys`, e.g. Emails
   * with an external-id match field: a record holding one row's key may carry another row's
   * Email, which only a lookup tells: `identity_unclear`). Default: false.
   */
  createUpserts?(ctx: VerbContext<z.output<Schema>, Client>): boolean;
  /** Whether records may carry groups with this config. Default: when group verbs exist (or membership is in the record). */
  supportsGroups?(config: z.output<Schema>): boolean;
  /**
   * Checks (or prepares, e.g. creates missing custom attributes) the destination fields the
   * mapping writes, after `connect` and before anything is sent. `input` carries sample
   * values per field and whether this is a dry run (which must change nothing).
   * May return the fields it created or found ({@link PreparedField}; in a dry run, those
   * it would create), which the run summary carries as `fields`.
   *
   * @throws ConfigError (`unknown_field` or similar) naming fields that cannot be used.
   */
  prepareFields?(ctx: VerbContext<z.output<Schema>, Client>, names: readonly string[], input: PrepareFieldsInput): Promise<void | readonly PreparedField[]>;
  /**
   * Checks one record before it is sent (field lengths, picklists, formats). Returns the
   * error that fails this record alone, or `undefined`.
   */
  validate?(ctx: VerbContext<z.output<Schema>, Client>, item: ValidationItem): SyncError | undefined;
  /**
   * The codes this destination's verbs report besides the kit's (`KIT_CODES`), each with
   * its meaning and what the user should do: the closed list of its codes (the README
   * table and the CLI's explanations come from it).
   */
  readonly errorCodes?: Readonly<Record<string, CodeInfo>> | undefined;
  readonly verbs: RecordVerbs<z.output<Schema>, Client>;
}

/** Any record destination definition, whatever its config and client types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRecordDestination = DestinationDefinition<z.ZodType, any>;

/**
 * Declares a destination. Checks the declaration (modes, default, limits, verbs needed by
 * the declared modes) and returns it unchanged, typed.
 *
 * @throws Error when the declaration is inconsistent: an unknown mode, a default that is
 *   not supported, several modes without a default, non-positive limits, `sync` without
 *   a `delete` verb, or group verbs with `groupMembership: 'record'`.
 */
export function defineDestination<Schema extends z.ZodType, Client>(
  definition: DestinationDefinition<Schema, Client>,
): DestinationDefinition<Schema, Client> {
  const { id, syncModes, defaultSyncMode } = definition;
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`Destination id "${id}" must be lowercase letters, digits and -`);
  if (syncModes.length === 0) throw new Error(`Destination "${id}" must support at least one sync mode`);
  for (const mode of syncModes) {
    if (!SYNC_MODES.includes(mode)) throw new Error(`Destination "${id}" declares unknown sync mode "${mode}"`);
  }
  if (defaultSyncMode && !syncModes.includes(defaultSyncMode)) {
    throw new Error(`Destination "${id}": default mode "${defaultSyncMode}" is not among its modes`);
  }
  if (syncModes.length > 1 && !defaultSyncMode) {
    throw new Error(`Destination "${id}" supports several modes and must declare defaultSyncMode`);
  }
  if (syncModes.includes('sync') && !definition.verbs.delete) {
    throw new Error(`Destination "${id}" supports "sync" and must implement the delete verb`);
  }
  if (definition.groupMembership === 'record' && definition.verbs.groups) {
    throw new Error(`Destination "${id}" keeps group membership in the record and must not declare group verbs`);
  }
  if (typeof definition.limits !== 'function') checkLimits(id, definition.limits);
  return definition;
}

/**
 * The limits for a given config and run volume (a run of nothing changed when omitted).
 *
 * @throws Error when the destination declares a limit that is not a positive integer.
 */
export function limitsFor(
  destination: AnyRecordDestination,
  config: Record<string, unknown>,
  run: RunVolume = { changed: 0, departing: 0 },
): DestinationLimits {
  const limits = typeof destination.limits === 'function' ? destination.limits(config, run) : destination.limits;
  return checkLimits(destination.id, limits);
}
