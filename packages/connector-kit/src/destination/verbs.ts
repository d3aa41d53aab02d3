import type { SyncError } from '../errors/sync-error';
import type { Logger } from '../logging/logger';
import type { PropertyValue, RecordSnapshot } from '../records/types';

/** What a response said about the vendor's rate limit (e.g. `X-RateLimit-Remaining` / `-Reset`). */
export interface RateLimitInfo {
  /** Calls left in the current window. */
  readonly remaining: number;
  /** When the window resets, epoch ms. */
  readonly resetAtMs: number;
  /** Calls allowed per window, when known. */
  readonly limit?: number | undefined;
}

/** Where verbs report rate-limit headers so the kit paces every call from them. */
export interface RateLimitObserver {
  observe(info: RateLimitInfo): void;
}

/** What every verb receives. Verbs never learn the sync mode: the kit has already decided. */
export interface VerbContext<Config, Client> {
  readonly config: Config;
  readonly client: Client;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Report rate-limit headers here; when a window is nearly spent, queued calls wait for its reset. */
  readonly rateLimit: RateLimitObserver;
  /**
   * Says something about the run as a whole, shown in its summary and report (`SyncRunSummary.notices`):
   * a stable snake_case code the destination declares in its `errorCodes`, and a message with
   * no personal data (record ids and counts are fine). A later notice of the same code replaces
   * the earlier one, so a verb may say a running total batch after batch. Absent in checks.
   */
  readonly notice?: ((notice: { readonly code: string; readonly message: string }) => void) | undefined;
}

/** One record to look up. `ref` is the kit's handle; echo it back in the result map. */
export interface LookupRequest {
  readonly ref: number;
  /** The snapshot whose match key is looked up (the previous one when a key changed). */
  readonly snapshot: RecordSnapshot;
  /** The normalised match key (see `DestinationDefinition.matchKey`). */
  readonly matchKey: string;
  /** The destination id this sync stored last time, when any (a hint for eventually consistent search). */
  readonly knownId?: string | undefined;
  /**
   * Set for a record that left the source: where the destination can read a record by id,
   * read `knownId` also when the key finds other records, and return it beside them when it
   * still exists (`blocked` where it holds another key and the destination answers that so).
   * The kit acts on a departure's own record only; without this, its own record is told gone
   * (forgotten) from not yet searchable (Intercom's search lags behind writes) by nothing.
   */
  readonly confirmKnown?: boolean | undefined;
}

/** A destination record that matched a lookup. */
export interface FoundRecord {
  readonly id: string;
  /** Present but archived (restorable); counts as absent where the mode cannot create. */
  readonly archived?: boolean | undefined;
  /** Present but cannot be written (e.g. a converted Salesforce Lead); skipped with this code. */
  readonly blocked?: { readonly code: string; readonly message: string } | undefined;
  /**
   * Not checked: the destination has no cheap lookup (e.g. OneSignal: no batch lookup, and
   * reading a user is limited to about one request per second per app), so the record is
   * presumed present and the write itself confirms it. A write answered with a
   * `NotFoundError` for the item makes the kit plan the record again as not found. Dry
   * runs say that existence was not checked.
   */
  readonly presumed?: boolean | undefined;
  /**
   * Found only by a fallback field while the destination record holds another value of the
   * field that decides (e.g. an Intercom user with this email and another `external_id`,
   * in the connector's normalised match-key format: `external_id:u-17`). That is someone
   * else — unless it is this sync's record for a source id that left the source and no
   * current source record has `otherKey`: then it is the same person under a new key (the
   * source id and key changed together) and the kit matches it, so the record is updated
   * with its new key instead of a duplicate being created beside one the departure would
   * delete. Otherwise the kit counts it as absent.
   */
  readonly otherKey?: string | undefined;
  /**
   * The found record's identifiers besides the match key, in the format of the destination's
   * `identityKeys` (e.g. a Salesforce Contact's Email, lower-cased), when the lookup read
   * them. A record found by its match key that carries an identifier this sync never wrote
   * for it while another current source record has that identifier is refused
   * (`identity_unclear`): the destination record may be that other person's, given this
   * record's key (see `refuseForeignIdentities`). Omitted: not checked.
   */
  readonly identities?: readonly string[] | undefined;
  /**
   * The found record's values of unique identifier fields besides the match key that the
   * records map (e.g. a Salesforce external-id field such as `Customer_Id__c` where the match
   * field is Email), by field name, when the lookup read them. A record found by its match
   * key whose value there differs from the row's, on a destination record this sync does not
   * track, is refused (`identity_unclear`): it is another identity's record, given this
   * record's key (third trial of stop 32; see `refuseConflictingIds`). Omitted: not checked.
   */
  readonly uniqueFields?: Readonly<Record<string, string>> | undefined;
}

/**
 * Per-item result of a write, in input order. A `NotFoundError` says the addressed record
 * does not exist: the kit plans the record again as not found (see `FoundRecord.presumed`).
 *
 * A create may set `existing: true` when the destination answered that the record already
 * existed and the connector updated that record instead (e.g. Intercom's 409 "already
 * exists with id=…" under an eventually consistent search): the record is reported as
 * `updated` and this sync does not own it, so `sync` mode never deletes it by default.
 */
export type ItemResult =
  | {
      readonly ok: true;
      readonly id?: string | undefined;
      readonly existing?: boolean | undefined;
      /**
       * A group add answered `existing` whose membership the destination proves another user
       * made (Salesforce: the CampaignMember's `CreatedById` is not the integration user): the
       * kit counts it found — never removed by this sync — however often the add was sent and
       * whatever its state planned. Without it, only a first send's `existing` counts, and not
       * for a group the state already lists as this sync's.
       */
      readonly madeByOther?: boolean | undefined;
      /**
       * Only for destinations with `groupMembership: 'record'`: the groups of the write's
       * `groups.add` the record was already in before the write (e.g. a OneSignal tag the app
       * set): someone else's membership, never removed by this sync (`StateSnapshot.found`) —
       * as a group verb's `existing` answer to an add says — unless a sync holds it as its own:
       * the record's state (an add a killed run had sent, the group under another name of the
       * same `groupKey`), another row of this sync, or another sync sharing the state.
       */
      readonly alreadyIn?: readonly string[] | undefined;
    }
  | { readonly ok: false; readonly error: SyncError };

/** A record to create or update, with the properties to send (`null` = clear). */
export interface WriteItem {
  readonly ref: number;
  readonly recordId: string;
  readonly snapshot: RecordSnapshot;
  /** Create: every non-empty property. Update: only changed ones; `null` clears. */
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /**
   * Create only: the properties this sync last wrote for the record (its state), when it wrote
   * it before and it was since archived or deleted in the destination. A destination whose
   * create can meet that record again (a 409 naming it) clears from it what the source has
   * since emptied; other records it meets keep what they hold.
   */
  readonly previous?: Readonly<Record<string, PropertyValue>> | undefined;
  /**
   * Only for destinations with `groupMembership: 'record'`: the managed groups this write
   * joins and leaves (names, as planned by the kit; unchanged memberships are absent). A
   * record that left the source and is kept arrives with an empty snapshot and the groups
   * it leaves.
   */
  readonly groups?: GroupChanges | undefined;
}

/** Managed groups a record joins and leaves in one write. */
export interface GroupChanges {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** A record to update in place. */
export interface UpdateItem extends WriteItem {
  readonly destinationId: string;
}

/**
 * One record of a call that both creates and updates ({@link RecordVerbs.createAndUpdate}): `create`
 * makes a new record (never matched by key: see the verb), `update` changes the record with
 * `destinationId`.
 */
export type CreateOrUpdateItem = (WriteItem & { readonly action: 'create' }) | (UpdateItem & { readonly action: 'update' });

/** A destination record addressed by id (delete, restore, group membership). */
export interface TargetItem {
  readonly ref: number;
  readonly recordId: string;
  readonly destinationId: string;
}

/** A group the sync manages, resolved to the destination's id. */
export interface GroupRef {
  readonly name: string;
  readonly id: string;
}

/**
 * The small verbs a record destination implements. Each batch verb receives at most the
 * destination's declared batch size and returns one {@link ItemResult} per item, in order;
 * throwing means the whole call failed (the kit retries, or splits the batch to isolate a
 * bad record).
 */
export interface RecordVerbs<Config, Client> {
  /**
   * Finds existing records by match key. Returns ref → **every** destination record that
   * matches the request's key (absent or empty = not found), in any order. Never pick one:
   * the kit decides — one match is the record, several fail the record with
   * `ambiguous_match` (unless one of them is the `knownId` this sync wrote before), so a
   * sync never writes to a record it cannot tell apart from another.
   */
  find(ctx: VerbContext<Config, Client>, requests: readonly LookupRequest[]): Promise<Map<number, readonly FoundRecord[]>>;
  create(ctx: VerbContext<Config, Client>, items: readonly WriteItem[]): Promise<ItemResult[]>;
  update(ctx: VerbContext<Config, Client>, items: readonly UpdateItem[]): Promise<ItemResult[]>;
  /**
   * Optional: creates and updates in one call, for an API that takes both at once (e.g.
   * Salesforce's Composite resource holding an sObject Collections update and create). The
   * kit sends through it the one batch of a window that would otherwise be split between a
   * last, partly filled `update` call and a first `create` call — updates first, then
   * creates, at most the write batch size — so a window's updates and creates take
   * ⌈(updates + creates) ÷ batch size⌉ calls instead of one more. Every other batch still goes
   * to `update` or `create`.
   *
   * Each item must come out as its own verb would make it (`action`): an update by
   * `destinationId`, a create exactly as `create` sends it (an upsert by match key where
   * `createUpserts` says so). After a call whose answer was lost, the kit treats its creates
   * as it treats a create batch's (looked up first, unless they are upserts by match key) and
   * resends its updates. Returns one {@link ItemResult} per item, in order; an update answered
   * `NotFoundError` is planned again as not found. Items of a part the vendor refused as a whole
   * (nothing of it written, e.g. a malformed collection) answer an error with that HTTP 4xx
   * `status`: the kit sends them again by their own verb, whose batch it splits to fail only the
   * bad record. Per-record refusals carry no `status`.
   */
  createAndUpdate?(ctx: VerbContext<Config, Client>, items: readonly CreateOrUpdateItem[]): Promise<ItemResult[]>;
  /** Deletes (or archives, as the destination's config says). Required for destinations supporting `sync`. */
  delete?(ctx: VerbContext<Config, Client>, items: readonly TargetItem[]): Promise<ItemResult[]>;
  /** Brings back an archived record before it is updated. */
  restore?(ctx: VerbContext<Config, Client>, items: readonly TargetItem[]): Promise<ItemResult[]>;
  /** Group membership, when the destination has groups (campaigns, tags). */
  groups?: GroupVerbs<Config, Client> | undefined;
}

/** A group (campaign, tag, audience) found by name. */
export interface FoundGroup {
  readonly id: string;
  /**
   * How many members it has, when the API says so exactly and cheaply (e.g. a campaign's
   * member counts); `undefined` when unknown. The kit repopulates a managed group that
   * shows 0 while the sync's state holds members (emptied in the vendor's UI).
   */
  readonly members?: number | undefined;
  /**
   * When the group was created, epoch ms, when the API says so (e.g. a Custom Audience's
   * `time_created`). A group created after this sync last wrote a record it counts as a
   * member of a group with that name is another group (the one it filled was deleted, and a
   * person or another tool created one under the same name): the kit repopulates it.
   */
  readonly createdAt?: number | undefined;
}

/** Group verbs of a record destination. */
export interface GroupVerbs<Config, Client> {
  /**
   * Finds groups by name without creating anything: name → **every** group with that name
   * (an empty list = none; a name left out of the answer is not checked, e.g. a group given by id). The kit calls it at the start of a run with groups to check
   * the groups it manages: a name matching several groups refuses the run
   * (`ambiguous_group`) unless the configuration pins the id; a managed group that was
   * deleted (or emptied) in the vendor's UI is created again and repopulated. Optional:
   * without it, the kit trusts its state.
   */
  find?(ctx: VerbContext<Config, Client>, names: readonly string[]): Promise<Map<string, readonly FoundGroup[]>>;
  /**
   * Finds each group by name, creating the missing ones when `create` is true; returns
   * name → destination group id (missing names are absent when `create` is false).
   */
  ensure(
    ctx: VerbContext<Config, Client>,
    names: readonly string[],
    options: { readonly create: boolean },
  ): Promise<Map<string, string>>;
  /** Adds members; already being a member counts as success. */
  add(ctx: VerbContext<Config, Client>, group: GroupRef, members: readonly TargetItem[]): Promise<ItemResult[]>;
  /** Removes members; not being a member counts as success. */
  remove(ctx: VerbContext<Config, Client>, group: GroupRef, members: readonly TargetItem[]): Promise<ItemResult[]>;
}
