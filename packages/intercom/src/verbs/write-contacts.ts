import { SyncError, isRunStopping, toSyncError, type ItemResult, type PropertyValue, type UpdateItem, type WriteItem } from '@syncmodes/connector-kit';
import { conflictingContact, type ConflictingContact } from '../client/errors';
import type { ContactBody, ContactSummary } from '../client/intercom-api';
import { contactBody, roleFor } from './contact-body';
import { eachItem, failedItem } from './item-results';
import type { IntercomContext } from './verb-context';
import { rememberTags } from './known-tags';

/**
 * Makes the contact a 409 named the record: unarchives it when it is archived (creates are
 * only sent where the mode may create, so it may restore too), then updates it with the
 * record's non-empty properties, as a first match found by search is (what the contact holds
 * beyond them stays), clearing what this sync wrote before and the source emptied since
 * (`clearsOf`). Never creates a second contact.
 */
async function takeOver(ctx: IntercomContext, conflict: ConflictingContact, body: ContactBody): Promise<ItemResult> {
  const { api } = ctx.client;
  const foreign = conflict.archived ? undefined : await otherExternalId(ctx, conflict.id, body);
  if (foreign !== undefined) return foreign;
  if (conflict.archived) {
    const restored = await restoreOwn(ctx, conflict.id, body);
    if (restored !== undefined) return restored;
  }
  try {
    rememberTags(ctx, [await api.updateContact(ctx, conflict.id, body)]);
  } catch (thrown) {
    const error = toSyncError(thrown);
    if (isRunStopping(error)) throw error;
    // Retryable failures are returned for this item, not thrown: the kit resends the create,
    // which meets the same 409 and updates again (rather than counting the create as done).
    return { ok: false, error };
  }
  ctx.logger.debug('create answered 409; updated the existing contact', { id: conflict.id, archived: conflict.archived });
  return { ok: true, id: conflict.id, existing: true };
}

/**
 * Unarchives the contact an archived 409 named, then reads it (an archived contact cannot be
 * read): one holding another person's keys is archived again and refused, not written
 * (fresh reviewer 143, F2: it was unarchived and overwritten). Undefined when it is the
 * record's, to be updated.
 */
async function restoreOwn(ctx: IntercomContext, id: string, body: ContactBody): Promise<ItemResult | undefined> {
  const { api } = ctx.client;
  try {
    await api.unarchiveContact(ctx, id);
  } catch (thrown) {
    const error = toSyncError(thrown);
    // Rate limits, gateway answers (502, 503, 504) and network failures are retried by the kit (the create meets the
    // same 409). A 500 is what Intercom answers for a permanently deleted user (see the emulator's `unarchive`): no retry
    // brings it back.
    if (isRunStopping(error) || (error.retryable && error.status !== 500)) throw error;
    return {
      ok: false,
      error: new SyncError(
        'restore_failed',
        `Intercom holds an archived or permanently deleted contact with these details (id ${id}) and would not unarchive it ` +
          `(${error.message}). A permanently deleted user can never be created again; change the external_id or email, or restore it in Intercom.`,
        { cause: error, ...(error.status === undefined ? {} : { status: error.status }), ...(error.vendorCode === undefined ? {} : { vendorCode: error.vendorCode }) },
      ),
    };
  }
  const foreign = await otherExternalId(ctx, id, body);
  if (foreign === undefined) return undefined;
  await api.archiveContact(ctx, id).catch((thrown: unknown) => {
    const error = toSyncError(thrown);
    if (isRunStopping(error)) throw error;
    ctx.logger.warn('could not archive again a contact a 409 named that is someone else\'s', { id, message: error.message });
  });
  return foreign;
}

/**
 * The contact a 409 named, read before it is written (`GET /contacts/{id}`): a failure when it
 * holds another external_id than the one sent — someone else's, as the search path treats it
 * ("has another key: someone else's, not written to"). Intercom documents its users unique by
 * external_id, so its 409 should name the same one; a gateway's or another version's answer
 * naming another contact was taken over, the row written onto that person (fresh trial 139,
 * F5). An archived contact cannot be read (404) until unarchived: taken over as before.
 */
async function otherExternalId(ctx: IntercomContext, id: string, body: ContactBody): Promise<ItemResult | undefined> {
  let contact: ContactSummary;
  try {
    contact = await ctx.client.api.getContact(ctx, id);
  } catch (thrown) {
    const error = toSyncError(thrown);
    if (isRunStopping(error)) throw error;
    return { ok: false, error };
  }
  const sent = typeof body.external_id === 'string' ? body.external_id : undefined;
  const email = typeof body.email === 'string' ? body.email.toLowerCase() : undefined;
  const held = contact.external_id == null || contact.external_id === '' ? undefined : contact.external_id;
  // The record's contact: the same external_id, or (it has none, or none was sent) the same email (fresh reviewer 142, F3: a user
  // with no external_id and another email was taken over).
  const byEmail = ctx.config.matchBy !== 'external_id' || sent === undefined;
  const sameEmail = byEmail && email !== undefined && contact.email?.toLowerCase() === email;
  // Matching by external_id alone, another user's email is no match (fresh reviewer 143, F6), as the search path never matches by it.
  if (held !== undefined ? held === sent || (sent === undefined && sameEmail) : sameEmail) return undefined;
  const holds = held !== undefined ? `another external_id (${held})` : 'no external_id and another email';
  return {
    ok: false,
    error: new SyncError('conflict', `Intercom answered that contact ${id} already has these details, but it holds ${holds}: someone else's, not written to. Merge the two contacts in Intercom, or fix the source.`, { status: 409 }),
  };
}

async function createOne(ctx: IntercomContext, item: WriteItem): Promise<ItemResult> {
  const built = contactBody(ctx.client, ctx.config, item.properties, { creating: true });
  if ('error' in built) return { ok: false, error: built.error };
  const role = roleFor(ctx.config, item.properties);
  const body: ContactBody = { role, ...built.body };
  // Intercom ignores a lead's external_id and gives it a UUID of its own.
  if (role === 'lead') delete body.external_id;
  try {
    const contact = await ctx.client.api.createContact(ctx, body);
    rememberTags(ctx, [contact]);
    return { ok: true, id: contact.id };
  } catch (thrown) {
    const conflict = conflictingContact(thrown);
    if (!conflict) return failedItem(thrown);
    const taken = contactBody(ctx.client, ctx.config, { ...item.properties, ...clearsOf(item) });
    if ('error' in taken) return { ok: false, error: taken.error };
    return takeOver(ctx, conflict, taken.body);
  }
}

const filled = (v: PropertyValue | undefined) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === '');

/**
 * What the update of a contact a 409 named clears: the values this sync wrote before (the
 * record's state, `previous`) that the source has since emptied — its contact was archived
 * meanwhile, and they would otherwise stay for good (fresh helper 73, finding 1). Nothing
 * else: a first match, as when search finds the contact, keeps what it holds beyond the
 * record's values (entered by hand, or by another sync; fresh helper 72, finding 1).
 */
function clearsOf(item: WriteItem): Record<string, null> {
  const clears: Record<string, null> = {};
  for (const [key, value] of Object.entries(item.previous ?? {})) if (filled(value) && !filled(item.properties[key])) clears[key] = null;
  return clears;
}

/**
 * The update's body. A record given an external_id, with role `auto` or `user`, makes its
 * contact a user (`role: "user"`), as its create would have: Intercom ignores a lead's
 * external_id, so the value was reported written and never was (fresh helper 72, finding 3).
 * A user stays a user; when another contact holds the external_id, Intercom refuses the whole
 * update (409) and nothing is written.
 */
function updateBody(ctx: IntercomContext, item: UpdateItem, body: ContactBody): ContactBody {
  const externalId = item.properties.external_id;
  const given = externalId !== null && externalId !== undefined && String(externalId).trim() !== '';
  return given && ctx.config.role !== 'lead' ? { ...body, role: 'user' } : body;
}

async function updateOne(ctx: IntercomContext, item: UpdateItem): Promise<ItemResult> {
  const built = contactBody(ctx.client, ctx.config, item.properties);
  if ('error' in built) return { ok: false, error: built.error };
  try {
    rememberTags(ctx, [await ctx.client.api.updateContact(ctx, item.destinationId, updateBody(ctx, item, built.body))]);
    return { ok: true, id: item.destinationId };
  } catch (thrown) {
    return failedItem(thrown);
  }
}

/**
 * Creates contacts (`POST /contacts`, one per call: Intercom has no batch write) with the
 * role from the `role` option. A 409 "already exists with id=…" (search had not indexed the
 * contact yet, or another sync created it meanwhile; "An archived contact…" when archived)
 * becomes an update of that contact, unarchived first, reported as existing.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/createcontact
 */
export function createContacts(ctx: IntercomContext, items: readonly WriteItem[]): Promise<ItemResult[]> {
  return eachItem(items, (item) => createOne(ctx, item));
}

/**
 * Updates contacts (`PUT /contacts/{id}`) with the changed properties only; emptied ones
 * are cleared (see {@link contactBody}).
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/updatecontact
 */
export function updateContacts(ctx: IntercomContext, items: readonly UpdateItem[]): Promise<ItemResult[]> {
  return eachItem(items, (item) => updateOne(ctx, item));
}
