import { SyncError, type FoundRecord, type LookupRequest } from '@syncmodes/connector-kit';
import type { ContactSummary, SearchQuery } from '../client/intercom-api';
import { emailOf, externalIdOf, matchFields } from './contact-keys';
import type { IntercomConfig } from '../config';
import type { IntercomContext } from './verb-context';
import { roleFor } from './contact-body';
import { rememberTags } from './known-tags';

/**
 * Of the contacts with the record's email, those that may be this record: not a user
 * holding a different external_id (that is someone else). A lead's external_id is
 * Intercom's own UUID, so leads always qualify.
 */
function fittingByEmail(candidates: readonly ContactSummary[] | undefined, externalId: string | undefined): ContactSummary[] {
  return (candidates ?? []).filter((c) => externalId === undefined || c.role !== 'user' || !c.external_id || c.external_id === externalId);
}

/**
 * A contact's identifiers, as the destination's `identityKeys` give them: a user's
 * `external_id:<id>` when matching by email (a lead's is Intercom's own); matching by
 * external_id then email, a user's `external_id:<id>` and its `email:<lower-cased>`;
 * matching by external_id, its email — a contact found by one may carry another person's
 * other (see `FoundRecord.identities`).
 */
function identitiesOf(contact: { readonly email?: string | null | undefined; readonly role?: string | undefined; readonly external_id?: string | null | undefined }, matchBy: IntercomConfig['matchBy']): string[] {
  const userId = contact.role === 'user' ? contact.external_id?.trim() : undefined;
  const externalId = userId && matchBy !== 'external_id' ? [`external_id:${userId}`] : [];
  const email = contact.email?.trim().toLowerCase();
  return matchBy === 'email' || !email ? externalId : [...externalId, `email:${email}`];
}

/**
 * The contact this sync wrote for a record, read by id, that no longer holds the record's key:
 * its external_id or email was changed in Intercom since, so it may be someone else now.
 * Neither written nor deleted, as Salesforce does (fresh reviewer 141, F5: sync mode deleted it
 * when the record left; fresh reviewer 143, F3: a row still in the source was written onto it,
 * and later runs called it unchanged).
 */
const KEY_CHANGED = {
  code: 'match_field_changed',
  message: "The contact this sync wrote no longer holds the record's external_id or email: it was changed in Intercom since. Nothing was written to it and no second contact was created; put the value back in Intercom or in the source if it is still this person, change the row's id if it is someone else now, or delete the contact in Intercom if that person left.",
} as const;

/**
 * A record that left the source whose own contact is now a user holding an external_id this
 * sync never wrote for it: a lead it created that Intercom converted in place (the person
 * signed up, or another sync gave it its user id). That is someone's user record now: kept,
 * as Salesforce keeps a converted Lead (fresh trial 144, F1: archived, or deleted for good with
 * `removal: delete`, and the users' sync could never create that person again).
 * https://developers.intercom.com/docs/references/1.4/rest-api/leads/convert-a-lead
 */
const CONVERTED = {
  code: 'lead_converted',
  message: 'The contact this sync created is now a user with an external_id this sync never wrote (Intercom converted the lead when the person signed up, or another sync gave it a user id): it is kept as it is, neither archived nor deleted, and no longer tracked.',
} as const;

/**
 * Whether the contact this sync wrote for a record that left the source, as a lead (the `role`
 * option, or `auto` and no external_id: `roleFor`), became someone's user since (see
 * {@link CONVERTED}). A user this sync created is its own, external_id given later or not
 * (fresh reviewer 146, M1: a users' sync kept such a user as a "converted lead").
 */
function convertedAway(contact: ContactSummary, request: LookupRequest, config: IntercomConfig): boolean {
  if (request.confirmKnown !== true || contact.id !== request.knownId || contact.role !== 'user' || !contact.external_id) return false;
  return roleFor(config, request.snapshot.properties) === 'lead' && contact.external_id !== externalIdOf(request.snapshot);
}

/** Why the contact found for a request cannot be written or deleted, when it cannot. */
function blockedOf(contact: ContactSummary, request: LookupRequest, config: IntercomConfig, key: { readonly externalId?: string | undefined; readonly email?: string | undefined }, readById: boolean): { blocked?: { readonly code: string; readonly message: string } } {
  if (readById && !holdsKey(contact, key)) return { blocked: KEY_CHANGED };
  return convertedAway(contact, request, config) ? { blocked: CONVERTED } : {};
}

/**
 * True when `contact` still holds the request's key as the search path would match it: its
 * external_id, or its email (case-insensitively) where it is no user holding another
 * external_id (`fittingByEmail`: that is someone else; fresh reviewer 142, F2).
 */
function holdsKey(contact: ContactSummary, key: { readonly externalId?: string | undefined; readonly email?: string | undefined }): boolean {
  if (key.externalId !== undefined && contact.external_id === key.externalId) return true;
  return key.email !== undefined && contact.email?.toLowerCase() === key.email.toLowerCase() && fittingByEmail([contact], key.externalId).length === 1;
}

/**
 * Finds contacts for a batch of records with one search (`POST /contacts/search`, paged):
 * `external_id IN [...]` OR `email IN [...]`, as the `matchBy` option allows. A record
 * matches by external_id first, then by email. Archived contacts are not searchable, so
 * they count as absent (a create then meets them as a 409).
 *
 * A user with the record's email and another external_id is returned with `otherKey` (its
 * `external_id:<id>` key) when no other contact has the email: the kit matches it only when
 * it is this sync's record for an id that left the source (the source id and external_id
 * changed together), else it is someone else and the record is created. Beside another
 * contact with the email (a lead), it is returned as a match too: several contacts may be
 * this person, and the kit refuses `ambiguous_match` unless this sync wrote one of them.
 *
 * Search is eventually consistent: a record this sync wrote before (its `knownId`) that
 * search misses is read directly (`GET /contacts/{id}`); 404 means gone or archived; one that
 * no longer holds the record's key is returned `blocked` (`match_field_changed`). For a
 * record that left the source (`confirmKnown`) it is read also when search finds others with
 * its key: a contact not searchable yet is still deleted, and one merged away is forgotten.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/searchcontacts
 */
export async function findContacts(ctx: IntercomContext, requests: readonly LookupRequest[]): Promise<Map<number, FoundRecord[]>> {
  const { byExternalId, byEmail } = matchFields(ctx.config.matchBy);
  const keys = requests.map((r) => ({
    externalId: byExternalId ? externalIdOf(r.snapshot) : undefined,
    email: byEmail ? emailOf(r.snapshot) : undefined,
  }));
  const externalIds = [...new Set(keys.map((k) => k.externalId).filter((v): v is string => v !== undefined))];
  const emails = [...new Set(keys.map((k) => k.email).filter((v): v is string => v !== undefined))];
  const filters: SearchQuery[] = [];
  if (externalIds.length > 0) filters.push({ field: 'external_id', operator: 'IN', value: externalIds });
  if (emails.length > 0) filters.push({ field: 'email', operator: 'IN', value: emails });

  const contacts = filters.length === 0 ? [] : await ctx.client.api.searchContacts(ctx, filters.length === 1 ? (filters[0] as SearchQuery) : { operator: 'OR', value: filters });
  rememberTags(ctx, contacts);
  const withExternalId = new Map<string, ContactSummary[]>();
  const withEmail = new Map<string, ContactSummary[]>();
  for (const c of contacts) {
    if (c.external_id) withExternalId.set(c.external_id, [...(withExternalId.get(c.external_id) ?? []), c]);
    const email = c.email?.toLowerCase();
    if (email) withEmail.set(email, [...(withEmail.get(email) ?? []), c]);
  }

  // The external_id decides when it matches; otherwise every contact the email may be.
  const found = new Map<number, FoundRecord[]>();
  const unresolved: LookupRequest[] = [];
  requests.forEach((request, i) => {
    const { externalId, email } = keys[i] ?? {};
    const byId = externalId !== undefined ? (withExternalId.get(externalId) ?? []) : [];
    const hits = byId.length > 0 ? byId : email !== undefined ? fittingByEmail(withEmail.get(email), externalId) : [];
    // Found by email beside users with another external_id: the contact found may be one of those people (a lead is
    // converted into a user, say): all of them, so the kit refuses ambiguous_match unless this sync wrote one (trial 20a F5).
    const beside = byId.length === 0 && hits.length > 0 && email !== undefined ? (withEmail.get(email) ?? []).filter((c) => !hits.includes(c)) : [];
    if (hits.length > 0) {
      found.set(request.ref, [...hits, ...beside].map((c) => ({ id: c.id, identities: identitiesOf(c, ctx.config.matchBy), ...blockedOf(c, request, ctx.config, keys[i] ?? {}, false) })));
      // A record that left the source whose own contact search does not show (yet) beside others: read by id too (fresh reviewer 138, F1).
      if (request.knownId && request.confirmKnown === true && ![...hits, ...beside].some((c) => c.id === request.knownId)) unresolved.push(request);
    } else if (request.knownId) unresolved.push(request);
    else if (email !== undefined) {
      // Users with this email and another external_id: someone else, or this person before
      // the source changed their id (the kit tells which from the sync's state).
      const others = (withEmail.get(email) ?? []).filter((c) => c.role === 'user' && c.external_id);
      if (others.length > 0) found.set(request.ref, others.map((c) => ({ id: c.id, otherKey: `external_id:${c.external_id}` })));
    }
  });
  for (const request of unresolved) {
    try {
      const contact = await ctx.client.api.getContact(ctx, request.knownId as string);
      rememberTags(ctx, [contact]);
      const blocked = blockedOf(contact, request, ctx.config, keys[requests.indexOf(request)] ?? {}, true);
      found.set(request.ref, [...(found.get(request.ref) ?? []), { id: contact.id, identities: identitiesOf(contact, ctx.config.matchBy), ...blocked }]);
    } catch (error) {
      if (!(error instanceof SyncError && error.status === 404)) throw error;
    }
  }
  return found;
}
