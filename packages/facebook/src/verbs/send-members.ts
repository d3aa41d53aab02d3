import { randomInt } from 'node:crypto';
import {
  DeferredError,
  GroupGoneError,
  InputError,
  isRunStopping,
  RateLimitError,
  RetryableError,
  SyncError,
  toSyncError,
  type GroupRef,
  type ItemResult,
  type MemberItem,
  type VerbContext,
} from '@syncmodes/connector-kit';
import type { MissingVerdict } from '../client/audience-memory';
import type { FacebookClient } from '../client/facebook-client';
import { AUDIENCE_UPLOAD_BLOCKED, AudienceUnreachableError, LOW_AUDIENCE_SIZE } from '../client/graph-errors';
import type { FacebookCode } from '../errors/codes';
import type { UsersResponse } from '../client/users-response';
import { isAudienceOptionId } from './ensure-audiences';
import type { FacebookConfig } from '../config';
import { identityRow, type IdentityRow } from '../identifiers/identity-row';
import { normaliseOptionsOf } from '../identifiers/normalise-options';
import { textOf } from '../identifiers/normalise-value';
import { SCHEMA_KEYS, type SchemaKey } from '../identifiers/schema-keys';
import { removeHalving, UnreadableAnswerError } from './halve-removal';
import { traceInvalidEntries } from './invalid-entries';

/** What the verbs receive. */
export type FacebookVerbContext = VerbContext<FacebookConfig, FacebookClient>;

/** Adding or removing. */
export type Direction = 'add' | 'remove';

/**
 * Largest URL-encoded payload a removal puts in its query string, bytes. `DELETE …/users`
 * carries `{schema, data}` in the query; with many keys mapped, 1,000 rows approach 1 MB,
 * beyond what servers accept in a request head (the emulator: 1 MiB).
 */
export const MAX_REMOVAL_QUERY_BYTES = 768 * 1024;

/** Our code for an audience deleted in Ads Manager (100 / 33 on its `/users` edge, no longer listed). */
const AUDIENCE_DELETED: FacebookCode = 'audience_deleted';
/** Our code for an addition to an audience pinned by id that was deleted: never recreated under another id. */
const PINNED_AUDIENCE_DELETED: FacebookCode = 'pinned_audience_deleted';
/** Our code for an audience of another ad account than `adAccountId`. */
const AUDIENCE_IN_OTHER_ACCOUNT: FacebookCode = 'audience_in_other_account';

const NO_IDENTIFIER = 'No usable identifier after normalisation: give the record an EMAIL, a PHONE with its country code, a MADID or an EXTERN_ID.';

/** Record ids for a message: the first three, then how many more. */
function someIds(ids: ReadonlySet<string>): string {
  const first = [...ids].slice(0, 3).map((id) => `"${id}"`).join(', ');
  return ids.size > 3 ? `${first} and ${ids.size - 3} more` : first;
}

/**
 * Logs (without values) which mapped values the rules could not use (country names, which are
 * not personal, are listed), and says so in the run's summary and report: notice
 * `values_sent_empty`, per identifier key the records (ids, never values) in this run so far.
 * Logged only, a user saw every row `created` while 57 phones had been sent empty (fresh
 * new-user check 120). Each record once: a request sent again (a retry) logs nothing more.
 */
function reportDropped(ctx: FacebookVerbContext, audience: GroupRef, members: readonly MemberItem[], dropped: readonly (readonly SchemaKey[])[]): void {
  const counts: Partial<Record<SchemaKey, number>> = {};
  const countries = new Set<string>();
  dropped.forEach((keys, i) => {
    for (const key of keys) {
      const id = members[i]?.recordId ?? '';
      // A request sent again (a retry after a timeout or a reset) reports nothing new.
      const reported = JSON.stringify([audience.id, key, id]);
      if (ctx.client.reportedEmpty.has(reported)) continue;
      ctx.client.reportedEmpty.add(reported);
      counts[key] = (counts[key] ?? 0) + 1;
      if (key === 'COUNTRY') countries.add(textOf(members[i]?.identity.COUNTRY) ?? '');
      ctx.client.sentEmpty.set(key, (ctx.client.sentEmpty.get(key) ?? new Set<string>()).add(id));
    }
  });
  if (Object.keys(counts).length === 0) return;
  ctx.logger.warn('some values could not be normalised as Meta requires and were sent empty', {
    audience: audience.name,
    ...counts,
    ...(countries.size > 0 ? { unmappedCountries: [...countries].sort() } : {}),
  });
  const per = [...ctx.client.sentEmpty].map(([key, ids]) => `${key}: ${ids.size} record(s) (${someIds(ids)})`).join('; ');
  ctx.notice?.({
    code: 'values_sent_empty',
    message: `Some mapped values could not be normalised as Meta requires and were sent empty — ${per}. Those people were still matched by their other identifiers. Fix the values in the source (a PHONE with its country code, an EMAIL with an @, a COUNTRY as a two-letter code or a name, a CT or ST in Latin letters; an all-zero MADID is a device that did not allow tracking and names nobody…) and run again.`,
  });
}

/** `rows` (indices) in chunks of at most `size`. */
function chunkRows(rows: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * What a refused request means for its members: a removal refused for low audience size
 * defers them; an audience Graph says is missing (100 / 33) is confirmed gone or not (see
 * {@link missingAudience}); a request Graph refuses as a whole (e.g. `(#100)`) fails them
 * without the kit splitting it row by row; anything else is thrown (`undefined`).
 */
async function refusal(ctx: FacebookVerbContext, audience: GroupRef, direction: Direction, error: unknown, people: number): Promise<SyncError | undefined> {
  if (direction === 'remove' && error instanceof SyncError && error.code === LOW_AUDIENCE_SIZE) {
    ctx.logger.warn('removal refused for low audience size; pending for a later run', { audience: audience.name, people });
    return new DeferredError(LOW_AUDIENCE_SIZE, `${error.message} The person stays in "${audience.name}" until the audience is large enough.`, { vendorCode: error.vendorCode ?? '200' });
  }
  if (error instanceof AudienceUnreachableError) return missingAudience(ctx, audience, direction, error);
  // Meta reports bad rows as invalid entries, not by refusing the request: splitting a
  // refused request to find a bad row would only multiply requests.
  if (error instanceof SyncError && (error.code === 'graph_error' || error.code === AUDIENCE_UPLOAD_BLOCKED)) return error;
  return undefined;
}

/**
 * Graph answered 100 / 33 on the audience's `/users` edge: deleted, or not reachable with this
 * token — the answer does not say which. The ad account's audiences are listed (every subtype),
 * once per audience per run (`FacebookClient.memory`): an audience it no longer lists is
 * gone, a {@link GroupGoneError} `audience_deleted` (the kit settles a removal from it and keeps
 * an addition pending; an addition to an audience pinned by id through the audience option
 * fails `pinned_audience_deleted` instead: never recreated under another id); one it still
 * lists is kept as the refusal (`audience_unreachable`: the token cannot reach it). A listing
 * that fails too answers the chunk with that failure and the 100 / 33 (see {@link notListed}):
 * never thrown for the kit to split the chunk, unless it stops the run (auth, permission).
 * https://developers.facebook.com/docs/marketing-api/error-reference ,
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/#Deleting
 */
async function missingAudience(ctx: FacebookVerbContext, audience: GroupRef, direction: Direction, error: AudienceUnreachableError): Promise<SyncError> {
  ctx.client.memory.refused(error);
  let verdict: MissingVerdict;
  try {
    verdict = await ctx.client.memory.verdictOn(audience.id, () => listedVerdict(ctx, audience.id));
  } catch (thrown) {
    const failed = toSyncError(thrown);
    if (isRunStopping(failed)) throw failed;
    return notListed(ctx, error, failed);
  }
  if (verdict.kind === 'unlisted') return notListed(ctx, error, verdict.error);
  if (verdict.kind === 'listed') {
    return new AudienceUnreachableError(
      audience.id,
      `${error.message} The ad account ${ctx.config.adAccountId} still lists it, so this token cannot reach it: make the token's (system) user an admin of the ad account that owns it, then run again (not retried in this run; the next run sends the change again).`,
    );
  }
  const label = audience.name === audience.id ? `Audience ${audience.id}` : `Audience "${audience.name}" (id ${audience.id})`;
  const gone = `${label} no longer exists in the ad account ${ctx.config.adAccountId}: it was deleted in Ads Manager (Facebook answered code 100, subcode 33, and the ad account no longer lists it).`;
  if (direction === 'remove') return new GroupGoneError(AUDIENCE_DELETED, `${gone} Nobody is left in it to remove; the sync forgets this membership.`, { vendorCode: '100' });
  if (isAudienceOptionId(ctx, audience.name)) {
    return new SyncError(PINNED_AUDIENCE_DELETED, `${gone} It is pinned by id (the audience option), so the sync does not create another under a new id: give the id of an existing audience, or a name.`, { vendorCode: '100' });
  }
  return new GroupGoneError(AUDIENCE_DELETED, `${gone} Not added.`, { vendorCode: '100', pinnedCode: PINNED_AUDIENCE_DELETED });
}

/**
 * Lists the ad account's audiences (every subtype) to tell whether `id` is still there. A
 * listing refused for good (e.g. 100 / 33 on `act_<id>` itself: the token lost access to the
 * ad account) is a verdict too (`unlisted`); one that may clear (5xx, throttling) or that
 * stops the run is thrown.
 * https://developers.facebook.com/docs/marketing-api/reference/ad-account/customaudiences/
 */
async function listedVerdict(ctx: FacebookVerbContext, id: string): Promise<MissingVerdict> {
  try {
    const listed = await ctx.client.listAudiences({ allSubtypes: true });
    return listed.some((a) => a.id === id) ? { kind: 'listed' } : { kind: 'deleted' };
  } catch (thrown) {
    const failed = toSyncError(thrown);
    if (isRunStopping(failed) || failed.retryable) throw failed;
    return { kind: 'unlisted', error: failed };
  }
}

/**
 * The answer for a chunk whose audience answered 100 / 33 when the ad account's audiences
 * could not be listed either: the chunk's members fail with both answers and what to check,
 * pending (nothing is settled). A listing that may clear keeps its class (retried like any
 * per-record failure: the `/users` request is not sent again, the listing is); one refused for
 * good is `audience_unreachable`.
 * https://developers.facebook.com/docs/marketing-api/error-reference
 */
function notListed(ctx: FacebookVerbContext, refusal: AudienceUnreachableError, failed: SyncError): SyncError {
  const account = ctx.config.adAccountId;
  const message = `${refusal.message} Whether it was deleted cannot be told: listing the audiences of the ad account ${account} failed too (${failed.message}) Check that the token's (system) user can still reach the ad account ${account} and the audience (Business Settings), and whether the audience still exists in Ads Manager; the change is sent again on a retry or the next run.`;
  const vendor = failed.vendorCode === undefined ? {} : { vendorCode: failed.vendorCode };
  if (failed instanceof RateLimitError) return new RateLimitError(message, failed.retryAfterMs, vendor);
  if (failed.retryable) return new RetryableError(failed.code, message, vendor);
  return new AudienceUnreachableError(refusal.audienceId, message);
}

/**
 * Audience `audience.id` when it belongs to another ad account than `adAccountId` (its id
 * pinned through `groupIds`, which the kit does not check): the listing of this ad account
 * cannot tell whether it was deleted, and Meta's account-level rules do not apply to it, so
 * nothing is sent to it (`audience_in_other_account`, as for the audience option). Read once
 * per run when this run's listings did not have it; one that cannot be read goes on.
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/
 */
async function otherAccount(ctx: FacebookVerbContext, audience: GroupRef): Promise<SyncError | undefined> {
  const account = await ctx.client.audienceAccount(audience.id);
  if (account === undefined || account === ctx.config.adAccountId) return undefined;
  return new SyncError(
    AUDIENCE_IN_OTHER_ACCOUNT,
    `Audience ${audience.id} ("${audience.name}") belongs to the ad account ${account}, not to ${ctx.config.adAccountId}: nothing is sent to it. Pin an audience of ${ctx.config.adAccountId}, or set adAccountId to ${account}.`,
  );
}

/** Fails the rows Meta counted as invalid entries (traced from its samples); logs what cannot be traced. */
function applyInvalidEntries(
  ctx: FacebookVerbContext,
  audience: GroupRef,
  direction: Direction,
  results: ItemResult[],
  rows: readonly number[],
  data: readonly (readonly string[])[],
  response: UsersResponse,
): void {
  const invalid = traceInvalidEntries(data, response);
  for (const [r, key] of invalid.rows) {
    results[rows[r] as number] = {
      ok: false,
      error: new SyncError('invalid_entry', `Facebook counted this person's row as an invalid entry (sampled value: ${key}); it was not ${direction === 'add' ? 'added' : 'removed'}.`),
    };
  }
  if (invalid.unattributed > 0 || (response.num_received !== undefined && response.num_received !== rows.length)) {
    ctx.logger.warn('Facebook reported invalid entries it did not sample, or received a different number of rows', {
      audience: audience.name,
      direction,
      sent: rows.length,
      numReceived: response.num_received,
      numInvalidEntries: response.num_invalid_entries,
      unattributed: invalid.unattributed,
    });
  }
}

/**
 * Sends one chunk of people to `POST` (add) or `DELETE` (remove) `/{audience_id}/users`
 * with the fixed schema and one normalised, hashed row per person, and returns one result
 * per member, in order:
 *
 * - adds of more people than `addBatchSize` go as one upload session: requests of at most
 *   `addBatchSize` rows sharing a random `session_id`, `batch_seq` 1, 2, …, the last with
 *   `last_batch_flag: true`, each with `estimated_num_total` (Meta's documented way to add
 *   large audiences);
 * - a member without a usable identifier fails alone (`no_valid_identifier`), the rest go;
 * - rows Meta reports as invalid entries (traced from `invalid_entry_samples`) fail with
 *   `invalid_entry`; untraceable ones are logged with the counts;
 * - a removal refused for low audience size defers every member of the chunk
 *   (`low_audience_size`: skipped, pending for the next run);
 * - an audience of another ad account (pinned by id through `groupIds`) fails every member
 *   `audience_in_other_account`, nothing sent (read once per run, see {@link otherAccount});
 * - an audience deleted meanwhile (100 / 33, and the ad account no longer lists it) answers
 *   every member of the chunk `audience_deleted` ({@link GroupGoneError}: a removal is done, an
 *   addition waits for the next run; `pinned_audience_deleted` when its id is pinned); 100 / 33
 *   for an audience still listed, or when the listing fails too, fails them
 *   `audience_unreachable` (see {@link missingAudience}); once an audience answered 100 / 33,
 *   later chunks to it in the run get the same answer without a request;
 * - a request Graph refuses as a whole (e.g. `(#100)`) fails every member of the chunk,
 *   without the kit splitting it row by row;
 * - a removal of several people that gets no answer from Graph (connection cut, or a page
 *   instead of its JSON: how Meta's front end answers a long query string) is sent again as
 *   halves, down to one person (see {@link removeHalving});
 * - anything else the call throws fails the call (the kit retries it, or splits a removal
 *   too large for the query string).
 *
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 */
export async function sendMembers(ctx: FacebookVerbContext, audience: GroupRef, members: readonly MemberItem[], direction: Direction): Promise<ItemResult[]> {
  const options = normaliseOptionsOf(ctx.config);
  const built = members.map((m) => identityRow(m.identity, options));
  reportDropped(ctx, audience, members, built.map((b) => b.dropped));
  const results: ItemResult[] = built.map((b) => (b.usable ? { ok: true } : { ok: false, error: new InputError('no_valid_identifier', NO_IDENTIFIER) }));
  const sent = built.flatMap((b, i) => (b.usable ? [i] : []));
  if (sent.length === 0) return results;
  if (direction === 'remove' && members.length > 1) {
    const payload = { schema: SCHEMA_KEYS, data: sent.map((i) => (built[i] as (typeof built)[number]).row) };
    const bytes = encodeURIComponent(JSON.stringify(payload)).length;
    // Not retryable, so the kit splits the chunk in halves until each fits the query string.
    if (bytes > MAX_REMOVAL_QUERY_BYTES) throw new SyncError('removal_too_large', `A removal of ${sent.length} people needs ${bytes} bytes of query string (at most ${MAX_REMOVAL_QUERY_BYTES}); sent in smaller chunks.`);
  }

  const foreign = await otherAccount(ctx, audience);
  if (foreign) {
    for (const i of sent) results[i] = { ok: false, error: foreign };
    return results;
  }

  if (direction === 'remove') {
    await removeHalving(sent, (rows) => sendRemoval(ctx, audience, built, rows, results), results, (people) =>
      ctx.logger.warn('a removal got no answer from Facebook (connection cut, or a page instead of its answer); sent again in halves', { audience: audience.name, people }),
    );
    return results;
  }
  const batches = chunkRows(sent, ctx.config.addBatchSize);
  const session = batches.length > 1 ? { session_id: randomInt(1, 2 ** 47), total: sent.length } : undefined;
  for (const [k, rows] of batches.entries()) {
    const batch = { schema: SCHEMA_KEYS, data: rows.map((i) => (built[i] as (typeof built)[number]).row) };
    let response: UsersResponse;
    try {
      // Graph answered 100 / 33 for this audience earlier in the run: not asked again.
      const refused = ctx.client.memory.refusalOf(audience.id);
      if (refused) throw refused;
      response = await ctx.client.addUsers(audience.id, batch, session && { session_id: session.session_id, batch_seq: k + 1, last_batch_flag: k === batches.length - 1, estimated_num_total: session.total });
    } catch (error) {
      const refused = await refusal(ctx, audience, 'add', error, rows.length);
      if (!refused) throw error;
      // This request and the rest of the session are not sent: they carry the refusal.
      for (const i of batches.slice(k).flat()) results[i] = { ok: false, error: refused };
      return results;
    }
    checkUsersResponse(response, 'add', rows.length);
    applyInvalidEntries(ctx, audience, 'add', results, rows, batch.data, response);
  }
  return results;
}

/**
 * One `DELETE /{audience_id}/users` of `rows` (indices into `built`): sets their results from
 * Graph's answer or its refusal (see {@link refusal}); throws anything else, and an answer
 * without `num_received` (see {@link checkUsersResponse}).
 */
async function sendRemoval(ctx: FacebookVerbContext, audience: GroupRef, built: readonly IdentityRow[], rows: readonly number[], results: ItemResult[]): Promise<void> {
  const batch = { schema: SCHEMA_KEYS, data: rows.map((i) => (built[i] as IdentityRow).row) };
  let response: UsersResponse;
  try {
    // Graph answered 100 / 33 for this audience earlier in the run: not asked again.
    const refused = ctx.client.memory.refusalOf(audience.id);
    if (refused) throw refused;
    response = await ctx.client.removeUsers(audience.id, batch);
  } catch (error) {
    const refused = await refusal(ctx, audience, 'remove', error, rows.length);
    if (!refused) throw error;
    for (const i of rows) results[i] = { ok: false, error: refused };
    return;
  }
  checkUsersResponse(response, 'remove', rows.length);
  applyInvalidEntries(ctx, audience, 'remove', results, rows, batch.data, response);
}

/**
 * Meta answers a users request with `num_received` (and the invalid entries). Any other body (a
 * proxy's page, another shape) fails the call `unexpected_response`, retryable (adding or
 * removing the same people again changes nothing more): counted a success, the people were
 * recorded as members while the audience had none of them (second trial of stop 31).
 * https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users
 */
function checkUsersResponse(response: unknown, direction: Direction, sent: number): void {
  const received = response !== null && typeof response === 'object' ? (response as UsersResponse).num_received : undefined;
  // Fewer rows received than sent: some never reached the audience, and which ones is not said (re-check of stop 31) — sent again, harmlessly.
  if (typeof received === 'number' && received >= sent) return;
  if (typeof received === 'number') {
    throw new SyncError('unexpected_response', `Facebook received ${received} of the ${sent} rows sent; the request is sent again.`, { status: 200, retryable: true });
  }
  throw new UnreadableAnswerError(`Facebook answered the ${direction === 'add' ? 'add' : 'removal'} with a body that does not say how many rows it received; it is sent again.`);
}
