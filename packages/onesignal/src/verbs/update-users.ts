import { InputError, SyncError, isSpreadsheetExponent, spreadsheetExponentError, type ItemResult, type RecordSnapshot, type UpdateItem, type VerbContext } from '@syncmodes/connector-kit';
import type { OneSignalClient } from '../client/onesignal-client';
import { EXTERNAL_ID, type OneSignalConfig } from '../config';
import { MAX_TAG_CHANGES } from '../onesignal-limits';
import { chunkTagChanges, planTagLimitError, tagLimitError, tagWriteFor } from '../tags/tag-changes';
import { joinedAlready, leftToOthers } from '../tags/joined-already';

type Ctx = VerbContext<OneSignalConfig, OneSignalClient>;

/** The external_id a snapshot carries, trimmed (the match key), if any. */
export function externalIdOf(properties: Readonly<Record<string, unknown>>): string | undefined {
  const key = rawExternalId(properties);
  return key === undefined || isDotSegment(key) ? undefined : key;
}

/** The record's external_id as given (trimmed), or undefined when empty. */
function rawExternalId(properties: Readonly<Record<string, unknown>>): string | undefined {
  const value = properties[EXTERNAL_ID];
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const key = String(value).trim();
  return key === '' ? undefined : key;
}

/** `.` and `..`: a path segment URL normalisation removes (RFC 3986 §5.2.4), so a request for that user would read `/users/by/external_id/` or its parent. */
const isDotSegment = (id: string): boolean => id === '.' || id === '..';

/**
 * Why a record has no usable external_id although it has one: `.` or `..` cannot be
 * addressed in OneSignal's request path (fresh reviewer 87, F3: the view of `..` read
 * `/users/by/` and the user was reported not_found). Undefined otherwise (the kit's
 * `missing_match_key`).
 */
export function explainMissingExternalId(snapshot: RecordSnapshot): SyncError | undefined {
  const key = rawExternalId(snapshot.properties);
  if (key === undefined || !isDotSegment(key)) return undefined;
  return new InputError('unaddressable_external_id', `The external_id is "${key}": OneSignal addresses users by external_id in the request path, where "${key}" is removed by URL normalisation, so no request can reach this user. Give the user another external_id; nothing was sent for this record.`, { fields: [EXTERNAL_ID] });
}

/**
 * Updates one user's tags: `PATCH /apps/{app_id}/users/by/external_id/{id}` with
 * `properties.tags` holding every change for the user (properties and group membership,
 * final values, `""` deleting a tag), split into requests of at most 100 changes
 * (deletions first) kept `userIntervalMs` apart.
 *
 * Per-user outcomes: `not_found` (no such user: the kit skips the record),
 * `rate_limited` for a per-user 429 (the kit waits `Retry-After` for this user only and
 * resends what was not acknowledged), `tag_limit_exceeded`, `invalid_date` /
 * `invalid_boolean`, `external_id_changed` (no request: an update cannot move a user's
 * external_id, which the app's SDK assigns). App-wide failures are thrown.
 * https://documentation.onesignal.com/reference/update-user
 */
/**
 * A refusal after some of the user's requests were applied, marked `partlyApplied` so the
 * kit keeps the record's write-ahead mark (fresh reviewer 92, F3: the mark was taken back, and
 * tags this sync had written were never cleared, a deleted one never restored).
 */
function partly(result: ItemResult, applied: boolean): ItemResult {
  if (result.ok || !applied || result.error.retryable || result.error.partlyApplied) return result;
  const e = result.error;
  const same = { ...(e.status === undefined ? {} : { status: e.status }), ...(e.fields === undefined ? {} : { fields: e.fields }), ...(e.vendorCode === undefined ? {} : { vendorCode: e.vendorCode }) };
  return { ok: false, error: new SyncError(e.code, e.message, { ...same, partlyApplied: true, cause: e }) };
}

async function updateUser(ctx: Ctx, item: UpdateItem): Promise<ItemResult> {
  const externalId = item.destinationId;
  const wanted = externalIdOf(item.snapshot.properties);
  if (wanted !== undefined && wanted !== externalId) {
    return {
      ok: false,
      error: new InputError(
        'external_id_changed',
        'The record now has another external_id. OneSignal users keep the external_id their app gave them, and an update cannot change it; the record was not sent. Sync it as a new record (new id) if it is now another user.',
        { fields: [EXTERNAL_ID] },
      ),
    };
  }
  const write = tagWriteFor(item, ctx.config);
  if ('error' in write) return { ok: false, error: write.error };
  const read = ctx.client.groupTagsRead(externalId);
  const already = joinedAlready(item, read, ctx.config.groupTagPrefix);
  if ('error' in already) return { ok: false, error: already.error };
  // Already there: not sent, nor counted over the tag limit (fresh reviewer 102, F4). Changed by someone since: not deleted.
  for (const tag of [...already.tags, ...leftToOthers(item, read, ctx.config.groupTagPrefix)]) delete write.changes[tag];
  const overLimit = write.overLimit.filter((key) => !already.tags.has(key));

  const pending = ctx.client.unacknowledged(externalId, write.changes);
  // Nothing left to change: nothing is sent (the lookup found the user; an empty update proved nothing more and sent `{"tags":{}}`).
  const chunks = chunkTagChanges(pending, MAX_TAG_CHANGES);
  // Whether a request of this update was applied: a later refusal then leaves the user part-written (see `partly`).
  let applied = false;
  for (const tags of chunks) {
    const result = await ctx.client.patchTags(externalId, tags, ctx.signal);
    if (result.ok) {
      applied = true;
      continue;
    }
    if (result.error.code === 'tag_limit_exceeded') {
      // OneSignal refused the whole request: deletions are still sent, the rest reported.
      const deletions = Object.fromEntries(Object.entries(tags).filter(([, v]) => v === ''));
      if (Object.keys(deletions).length > 0) {
        const again = await ctx.client.patchTags(externalId, deletions, ctx.signal);
        if (!again.ok) return partly(again, applied);
        applied = true;
      }
      const refused = Object.keys(ctx.client.unacknowledged(externalId, pending));
      return { ok: false, error: planTagLimitError(refused, result.error.message, applied) };
    }
    return partly(result, applied);
  }
  if (overLimit.length > 0 && ctx.config.tagLimit !== undefined) return { ok: false, error: tagLimitError(overLimit, ctx.config.tagLimit, applied) };
  ctx.client.done(externalId);
  return already.groups.length === 0 ? { ok: true, id: externalId } : { ok: true, id: externalId, alreadyIn: already.groups };
}

/** Updates users, one result per item in order (the destination sends one user per call). */
export async function updateUsers(ctx: Ctx, items: readonly UpdateItem[]): Promise<ItemResult[]> {
  return Promise.all(items.map((item) => updateUser(ctx, item)));
}

/** Why a source record is refused before it is looked up: an external_id a spreadsheet wrote as `4.479E+11` stands for several users (`scientific_notation`). */
export function refusedExternalId(snapshot: RecordSnapshot): SyncError | undefined {
  const key = rawExternalId(snapshot.properties);
  return key !== undefined && isSpreadsheetExponent(key) ? spreadsheetExponentError('The external_id') : undefined;
}
