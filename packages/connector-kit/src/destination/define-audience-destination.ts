import type { z } from 'zod';
import type { CodeInfo } from '../errors/codes';
import type { SyncError } from '../errors/sync-error';
import { SYNC_MODES, type SyncMode } from '../modes/sync-modes';
import type { Properties, RecordSnapshot } from '../records/types';
import type { ConnectContext, PreparedField, PrepareFieldsInput } from './define-destination';
import type { FoundGroup, GroupRef, ItemResult, VerbContext } from './verbs';

/** How an audience API wants to be called. Units: people per call, calls, ms. */
export interface AudienceLimits {
  /** Most people per add call (Facebook: 10,000). */
  readonly addBatchSize: number;
  /** Most people per remove call. */
  readonly removeBatchSize: number;
  /** Most calls in flight at once. */
  readonly concurrency: number;
  /** Client-side pacing: at most `requests` calls per `intervalMs`. */
  readonly rateLimit?: { readonly requests: number; readonly intervalMs: number } | undefined;
}

/** A person to add to or remove from an audience: the identifiers to send (the destination normalises and hashes them). */
export interface MemberItem {
  readonly ref: number;
  readonly recordId: string;
  readonly identity: Properties;
}

/**
 * The verbs of an audience destination. Each batch verb receives at most the declared
 * batch size and returns one {@link ItemResult} per member, in order; throwing means the
 * whole call failed (the kit retries, or splits the batch to isolate a bad member). A
 * per-member `DeferredError` leaves that member pending for a later run.
 */
export interface AudienceVerbs<Config, Client> {
  /**
   * Finds audiences by name, creating the missing ones when `create` is true; returns
   * name → audience id (missing names are absent when `create` is false).
   */
  ensureAudiences(ctx: VerbContext<Config, Client>, names: readonly string[], options: { readonly create: boolean }): Promise<Map<string, string>>;
  /**
   * Finds audiences by name without creating anything: name → every audience with that
   * name (see `GroupVerbs.find`: the kit checks managed audiences with it at the start of a
   * run — several with one name refuse the run unless pinned; a deleted or emptied one is
   * created again and repopulated; a name left out of the answer, e.g. an id, is not checked). Optional.
   */
  findAudiences?(ctx: VerbContext<Config, Client>, names: readonly string[]): Promise<Map<string, readonly FoundGroup[]>>;
  /** Adds people to an audience (adding someone already in it is a success). */
  addMembers(ctx: VerbContext<Config, Client>, audience: GroupRef, members: readonly MemberItem[]): Promise<ItemResult[]>;
  /** Removes people from an audience (removing someone not in it is a success). */
  removeMembers(ctx: VerbContext<Config, Client>, audience: GroupRef, members: readonly MemberItem[]): Promise<ItemResult[]>;
}

/**
 * An audience destination (e.g. Facebook Custom Audiences): a person's presence in an
 * audience is the whole record, so joining an audience is a create and leaving it is a
 * delete. Records' groups name the audiences. The API cannot say who is in an audience, so
 * `enrich` is impossible and the kit tracks what this sync added in its state.
 */
export interface AudienceDestinationDefinition<Schema extends z.ZodType = z.ZodType, Client = unknown> {
  readonly kind: 'audience';
  readonly id: string;
  readonly displayName: string;
  readonly description?: string | undefined;
  readonly docsUrl?: string | undefined;
  readonly configSchema: Schema;
  /** `sync` and/or `additive` (`enrich` cannot be honoured without a membership lookup). */
  readonly syncModes: readonly SyncMode[];
  readonly defaultSyncMode?: SyncMode | undefined;
  readonly unsupportedModeReasons?: Partial<Record<SyncMode, string>> | undefined;
  readonly limits: AudienceLimits | ((config: z.output<Schema>) => AudienceLimits);
  /** Human name of the identity for messages (e.g. `identifiers`). */
  matchKeyLabel(config: z.output<Schema>): string;
  /**
   * A normalised key identifying the person (used to find duplicates), or `undefined`
   * when the record has no usable identifier.
   */
  matchKey(snapshot: RecordSnapshot, config: z.output<Schema>): string | undefined;
  /**
   * Every identifier the vendor may match a person by, normalised, each as one string
   * (e.g. `PHONE:<hash>`), the match key's among them; omit when the vendor matches by the
   * match key alone. Two source records sharing any of them may be one member of an
   * audience, so the kit never removes one from an audience the other is in (the removal
   * waits, `identity_shared`).
   */
  identityKeys?(snapshot: RecordSnapshot, config: z.output<Schema>): readonly string[];
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
  /** Why a record has no usable identifier (its error fails that record alone). */
  explainMissingKey?(snapshot: RecordSnapshot, config: z.output<Schema>): SyncError;
  /**
   * The audiences every record belongs to, whatever its groups (e.g. one configured
   * audience); `undefined` to use the records' groups.
   */
  fixedAudiences?(config: z.output<Schema>): readonly string[] | undefined;
  connect(config: z.output<Schema>, ctx: ConnectContext): Promise<Client>;
  disconnect?(client: Client): Promise<void>;
  prepareFields?(ctx: VerbContext<z.output<Schema>, Client>, names: readonly string[], input: PrepareFieldsInput): Promise<void | readonly PreparedField[]>;
  /**
   * The codes this destination's verbs report besides the kit's (`KIT_CODES`), each with
   * its meaning and what the user should do: the closed list of its codes (the README
   * table and the CLI's explanations come from it).
   */
  readonly errorCodes?: Readonly<Record<string, CodeInfo>> | undefined;
  readonly verbs: AudienceVerbs<z.output<Schema>, Client>;
}

/** Any audience destination. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAudienceDestination = AudienceDestinationDefinition<z.ZodType, any>;

function checkAudienceLimits(id: string, limits: AudienceLimits): AudienceLimits {
  for (const key of ['addBatchSize', 'removeBatchSize', 'concurrency'] as const) {
    const v = limits[key];
    if (!Number.isInteger(v) || v < 1) throw new Error(`Destination "${id}": limits.${key} must be a positive integer, got ${v}`);
  }
  return limits;
}

/**
 * Declares an audience destination; checks the declaration and returns it unchanged.
 *
 * @throws Error when it declares `enrich` (impossible for audiences), an unknown mode, a
 *   default that is not supported, several modes without a default, or bad limits.
 */
export function defineAudienceDestination<Schema extends z.ZodType, Client>(
  definition: AudienceDestinationDefinition<Schema, Client>,
): AudienceDestinationDefinition<Schema, Client> {
  const { id, syncModes, defaultSyncMode } = definition;
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new Error(`Destination id "${id}" must be lowercase letters, digits and -`);
  if (syncModes.length === 0) throw new Error(`Destination "${id}" must support at least one sync mode`);
  for (const mode of syncModes) {
    if (!SYNC_MODES.includes(mode)) throw new Error(`Destination "${id}" declares unknown sync mode "${mode}"`);
  }
  if (syncModes.includes('enrich')) {
    throw new Error(`Audience destination "${id}" cannot support enrich: membership cannot be looked up`);
  }
  if (defaultSyncMode && !syncModes.includes(defaultSyncMode)) {
    throw new Error(`Destination "${id}": default mode "${defaultSyncMode}" is not among its modes`);
  }
  if (syncModes.length > 1 && !defaultSyncMode) throw new Error(`Destination "${id}" supports several modes and must declare defaultSyncMode`);
  if (typeof definition.limits !== 'function') checkAudienceLimits(id, definition.limits);
  return definition;
}

/** The audience limits for a given config. */
export function audienceLimitsFor(destination: AnyAudienceDestination, config: Record<string, unknown>): AudienceLimits {
  const limits = typeof destination.limits === 'function' ? destination.limits(config) : destination.limits;
  return checkAudienceLimits(destination.id, limits);
}
