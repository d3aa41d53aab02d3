import { contactNotFound, IntercomApiError } from './api-errors';
import { readContactValues, type ContactValues } from './contact-values';
import { checkNewAttribute, type CustomAttribute } from './data-attributes';
import { IdSource, leadExternalId } from './intercom-ids';
import type { DeletedContact, StoredContact, StoredTag, WritableField } from './stored-contact';

/** Options of {@link Workspace}. */
export interface WorkspaceOptions {
  /** A new contact is not found by `POST /contacts/search` for this long, ms. Default 0. */
  readonly searchLagMs?: number | undefined;
  /** The clock, epoch ms (tests may pass their own). */
  readonly now?: (() => number) | undefined;
}

/** The id of the emulator's one admin (the owner of its access token): `applied_by` of tags. */
export const EMULATOR_ADMIN_ID = '1';

const sameEmail = (a: string | null, b: string | null) => a !== null && b !== null && a.toLowerCase() === b.toLowerCase();

/**
 * The data of one emulated Intercom workspace: contacts (users and leads, active or
 * archived), tags, custom data attributes of the contact model, and the permanently
 * deleted users Intercom remembers. Behaviour follows the 2.14 API and what integrators
 * have observed of the real one (see each method).
 */
/** Contacts by id, external_id and lowercased email; entries are checked against the contact on use. */
interface ContactLookups {
  readonly array: StoredContact[];
  length: number;
  readonly byId: Map<string, StoredContact>;
  readonly byExternalId: Map<string, Set<StoredContact>>;
  readonly byEmail: Map<string, Set<StoredContact>>;
  /** Position of each contact in `contacts` (search answers keep that order). */
  readonly order: Map<StoredContact, number>;
}

function addTo(map: Map<string, Set<StoredContact>>, key: string, contact: StoredContact): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(contact);
}

/**
 * One emulated Intercom workspace: contacts (with archive and delete), tags, data
 * attributes and ids, plus the search-index lag (`searchLagMs`, ms) that makes a new
 * contact unsearchable for a while, as Intercom's search index does.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/searchcontacts
 */
export class Workspace {
  contacts: StoredContact[] = [];
  /**
   * Lookups over `contacts`, so a workspace of 100,000 contacts answers in O(1) per call
   * (benchmarks). Rebuilt whenever `contacts` was replaced or grew behind the workspace's
   * back (seeds); a value that changed since a contact was indexed is re-checked on use.
   */
  private lookupState: ContactLookups | undefined;
  tags: StoredTag[] = [];
  attributes = new Map<string, CustomAttribute>();
  deleted: DeletedContact[] = [];
  ids = new IdSource();
  searchLagMs: number;
  readonly now: () => number;

  constructor(options: WorkspaceOptions = {}) {
    this.searchLagMs = options.searchLagMs ?? 0;
    this.now = options.now ?? Date.now;
  }

  /** Current time, epoch seconds. */
  nowSec(): number {
    return Math.floor(this.now() / 1000);
  }

  /** Empties everything. */
  reset(): void {
    this.contacts = [];
    this.tags = [];
    this.attributes = new Map();
    this.deleted = [];
    this.ids = new IdSource();
  }

  private lookups(): ContactLookups {
    const current = this.lookupState;
    if (current && current.array === this.contacts && current.length === this.contacts.length) return current;
    const fresh: ContactLookups = { array: this.contacts, length: 0, byId: new Map(), byExternalId: new Map(), byEmail: new Map(), order: new Map() };
    for (const c of this.contacts) this.index(fresh, c);
    fresh.length = this.contacts.length;
    this.lookupState = fresh;
    return fresh;
  }

  private index(lookups: ContactLookups, contact: StoredContact): void {
    if (!lookups.order.has(contact)) lookups.order.set(contact, lookups.order.size);
    lookups.byId.set(contact.id, contact);
    if (contact.external_id) addTo(lookups.byExternalId, contact.external_id, contact);
    if (contact.email) addTo(lookups.byEmail, contact.email.toLowerCase(), contact);
  }

  /** Indexes a contact just added to `contacts` or whose keys just changed. */
  private noteChanged(contact: StoredContact, added: boolean): void {
    const lookups = this.lookupState;
    if (!lookups || lookups.array !== this.contacts || lookups.length !== this.contacts.length - (added ? 1 : 0)) return; // rebuilt on next use
    this.index(lookups, contact);
    if (added) lookups.length++;
  }

  /** A contact by id (archived or not). */
  private byId(id: string): StoredContact | undefined {
    return this.lookups().byId.get(id);
  }

  /** An active (not archived) contact, or a 404 "User Not Found". */
  active(id: string): StoredContact {
    const c = this.byId(id);
    if (!c || c.archived) throw contactNotFound();
    return c;
  }

  /**
   * The existing record a new contact would clash with (409), if any. Users are unique by
   * `external_id`, and by email when the new user has no `external_id`; archived users and
   * permanently deleted users still count. Leads never clash (Intercom keeps several leads
   * with one email).
   */
  conflictFor(role: 'user' | 'lead', externalId: string | null, email: string | null, except?: string): { id: string; archived: boolean } | undefined {
    if (role === 'lead') return undefined;
    const lookups = this.lookups();
    const isUser = (c: StoredContact) => c.role === 'user' && c.id !== except && lookups.byId.get(c.id) === c;
    if (externalId !== null) {
      const hit = [...(lookups.byExternalId.get(externalId) ?? [])].find((c) => isUser(c) && c.external_id === externalId);
      if (hit) return { id: hit.id, archived: hit.archived };
      const gone = this.deleted.find((d) => d.external_id === externalId);
      if (gone) return { id: gone.id, archived: true };
      return undefined;
    }
    const hit = email === null ? undefined : [...(lookups.byEmail.get(email.toLowerCase()) ?? [])].find((c) => isUser(c) && sameEmail(c.email, email));
    return hit ? { id: hit.id, archived: hit.archived } : undefined;
  }

  private conflictError(hit: { id: string; archived: boolean }): IntercomApiError {
    return new IntercomApiError(
      409,
      'conflict',
      hit.archived
        ? `An archived contact matching those details already exists with id=${hit.id}`
        : `A contact matching those details already exists with id=${hit.id}`,
    );
  }

  /**
   * `POST /contacts`. The role defaults to `user`. A lead's `external_id` is ignored and
   * replaced by a UUID (observed on the real API by Grouparoo's lead tests). A clash is a
   * 409 `conflict` naming the existing contact: "A contact matching those details already
   * exists with id=…", or "An archived contact …" when it is archived or was deleted.
   *
   * @throws {@link IntercomApiError} 400 (`parameter_invalid`, `parameter_not_found`,
   *   `type_mismatch`) or 409 `conflict`.
   */
  createContact(body: Readonly<Record<string, unknown>>): StoredContact {
    const role = body.role ?? 'user';
    if (role !== 'user' && role !== 'lead') throw new IntercomApiError(400, 'parameter_invalid', 'role must be one of user, lead', 'role');
    if (body.email === undefined && body.external_id === undefined && body.role === undefined) {
      throw new IntercomApiError(400, 'parameter_not_found', 'One of email, external_id or role is required');
    }
    const values = readContactValues(body, role, this.attributes);
    const externalId = role === 'lead' ? leadExternalId() : asText(values.standard.external_id);
    const email = asText(values.standard.email);
    const hit = this.conflictFor(role, externalId, email);
    if (hit) throw this.conflictError(hit);
    const now = this.nowSec();
    const contact: StoredContact = {
      id: this.ids.contactId(now),
      role,
      external_id: externalId,
      email: null,
      phone: null,
      name: null,
      avatar: null,
      owner_id: null,
      signed_up_at: null,
      last_seen_at: null,
      unsubscribed_from_emails: false,
      custom_attributes: {},
      tag_ids: [],
      created_at: now,
      updated_at: now,
      archived: false,
      indexed_at: this.now() + this.searchLagMs,
    };
    this.apply(contact, values, { skipExternalId: true });
    this.contacts.push(contact);
    this.noteChanged(contact, true);
    return contact;
  }

  /**
   * `PUT /contacts/{id}`. A lead becomes a user when the body says `role: "user"` (then its
   * `external_id` is taken); a user cannot become a lead ("user role can't be converted to
   * a lead", observed on the real API). A lead keeps its own `external_id` otherwise.
   *
   * @throws {@link IntercomApiError} 404, 400 or 409 (another user has that `external_id`).
   */
  updateContact(id: string, body: Readonly<Record<string, unknown>>): StoredContact {
    const contact = this.active(id);
    if (body.role !== undefined && body.role !== 'user' && body.role !== 'lead') {
      throw new IntercomApiError(400, 'parameter_invalid', 'role must be one of user, lead', 'role');
    }
    if (body.role === 'lead' && contact.role === 'user') {
      throw new IntercomApiError(400, 'parameter_invalid', "user role can't be converted to a lead", 'role');
    }
    const role = body.role === 'user' ? 'user' : contact.role;
    const values = readContactValues(body, role, this.attributes);
    const takesExternalId = role === 'user' && 'external_id' in values.standard;
    if (takesExternalId) {
      const externalId = asText(values.standard.external_id);
      const hit = externalId === null ? undefined : this.conflictFor('user', externalId, null, contact.id);
      if (hit) throw this.conflictError(hit);
    }
    contact.role = role;
    this.apply(contact, values, { skipExternalId: !takesExternalId });
    this.noteChanged(contact, false);
    contact.updated_at = this.nowSec();
    return contact;
  }

  private apply(contact: StoredContact, values: ContactValues, options: { skipExternalId: boolean }): void {
    for (const [field, value] of Object.entries(values.standard) as [WritableField, StoredContact[WritableField]][]) {
      if (field === 'external_id' && options.skipExternalId) continue;
      if (field === 'unsubscribed_from_emails') contact.unsubscribed_from_emails = value === true;
      else (contact as unknown as Record<string, unknown>)[field] = value;
    }
    for (const [name, value] of Object.entries(values.custom)) {
      if (value === null) delete contact.custom_attributes[name];
      else contact.custom_attributes[name] = value;
    }
  }

  /** `POST /contacts/{id}/archive`: archived contacts vanish from reads and search. */
  archive(id: string): StoredContact {
    const contact = this.byId(id);
    if (!contact) throw contactNotFound();
    contact.archived = true;
    return contact;
  }

  /**
   * `POST /contacts/{id}/unarchive`. Unarchiving a permanently deleted user fails with a
   * server error (observed on the real API).
   */
  unarchive(id: string): StoredContact {
    if (this.deleted.some((d) => d.id === id)) throw new IntercomApiError(500, 'server_error', 'Server Error');
    const contact = this.byId(id);
    if (!contact) throw contactNotFound();
    contact.archived = false;
    contact.indexed_at = Math.min(contact.indexed_at, this.now());
    return contact;
  }

  /** `DELETE /contacts/{id}`: permanent; a deleted user's `external_id` can never be used again. */
  deleteContact(id: string): DeletedContact {
    const contact = this.byId(id);
    if (!contact) throw contactNotFound();
    this.contacts = this.contacts.filter((c) => c !== contact);
    const gone = { id: contact.id, external_id: contact.external_id, email: contact.email };
    if (contact.role === 'user') this.deleted.push(gone);
    return gone;
  }

  /** A tag by id, or a 404 "Resource Not Found". */
  tag(id: string): StoredTag {
    const tag = this.tags.find((t) => t.id === id);
    if (!tag) throw new IntercomApiError(404, 'not_found', 'Resource Not Found');
    return tag;
  }

  /**
   * `DELETE /tags/{id}`: deletes the tag and takes it off every contact.
   * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/deletetag
   *
   * @throws {@link IntercomApiError} 404 when no tag has the id.
   */
  deleteTag(id: string): void {
    const tag = this.tag(id);
    this.tags = this.tags.filter((t) => t !== tag);
    for (const c of this.contacts) {
      if (!c.tag_ids.includes(tag.id)) continue;
      c.tag_ids = c.tag_ids.filter((t) => t !== tag.id);
      if (c.tagged_at) delete c.tagged_at[tag.id];
    }
  }

  /** `POST /tags` with a name: the tag with that name (names are case-insensitive), created when missing. */
  tagNamed(name: string): StoredTag {
    const existing = this.tags.find((t) => t.name.toLowerCase() === name.toLowerCase());
    if (existing) return existing;
    const tag = { id: String(this.ids.number()), name };
    this.tags.push(tag);
    return tag;
  }

  /** `POST /contacts/{id}/tags`: tags an active contact (already tagged is fine; it keeps its first `applied_at`). */
  tagContact(contactId: string, tagId: string): StoredTag {
    const contact = this.active(contactId);
    const tag = this.tag(tagId);
    if (!contact.tag_ids.includes(tag.id)) {
      contact.tag_ids.push(tag.id);
      contact.tagged_at = { ...contact.tagged_at, [tag.id]: this.nowSec() };
    }
    return tag;
  }

  /**
   * The contact's tag list (`GET /contacts/{id}/tags`): each tag with `applied_at` (epoch
   * seconds; the contact's creation for seeded tags) and `applied_by` (the emulator's one
   * admin), as the operation's example in the 2.14 description shows them.
   * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/tags/listtagsforacontact
   */
  contactTags(contactId: string): { type: 'tag'; id: string; name: string; applied_at: number; applied_by: { type: 'admin'; id: string } }[] {
    const contact = this.active(contactId);
    return contact.tag_ids.map((id) => ({
      type: 'tag' as const,
      id,
      name: this.tag(id).name,
      applied_at: contact.tagged_at?.[id] ?? contact.created_at,
      applied_by: { type: 'admin' as const, id: EMULATOR_ADMIN_ID },
    }));
  }

  /** `DELETE /contacts/{id}/tags/{tag_id}`: untags an active contact (not tagged is fine). */
  untagContact(contactId: string, tagId: string): StoredTag {
    const contact = this.active(contactId);
    const tag = this.tag(tagId);
    contact.tag_ids = contact.tag_ids.filter((t) => t !== tag.id);
    if (contact.tagged_at) delete contact.tagged_at[tag.id];
    return tag;
  }

  /**
   * `POST /data_attributes` for the contact model.
   *
   * @throws {@link IntercomApiError} 400 `parameter_invalid` (bad model, type or name; name taken).
   */
  createAttribute(body: Readonly<Record<string, unknown>>): CustomAttribute {
    const { name, dataType, description, messengerWritable } = checkNewAttribute(body);
    if (this.attributes.has(name)) {
      throw new IntercomApiError(400, 'parameter_invalid', `You already have '${name}' in your people data. To save this as new people data, use a different name.`);
    }
    const attribute: CustomAttribute = {
      id: this.ids.number(),
      name,
      data_type: dataType,
      description,
      messenger_writable: messengerWritable,
      archived: false,
      created_at: this.nowSec(),
    };
    this.attributes.set(name, attribute);
    return attribute;
  }

  /** Contacts `POST /contacts/search` can see now: active, and past the search-index lag. */
  searchable(): StoredContact[] {
    const now = this.now();
    return this.contacts.filter((c) => !c.archived && c.indexed_at <= now);
  }

  /**
   * The searchable contacts a query can match, through the indexes, when the query is an
   * `OR` of `=` / `IN` filters on `id`, `external_id` or `email` (what the connector sends),
   * or an `AND` with one such filter; else every searchable contact. A superset: the
   * query's own predicate still decides. In `contacts` order, as a scan gives them.
   */
  searchCandidates(query: unknown): StoredContact[] {
    const lookups = this.lookups();
    const hits = candidatesOf(query, lookups);
    if (!hits) return this.searchable();
    const now = this.now();
    return [...hits]
      .filter((c) => lookups.byId.get(c.id) === c && !c.archived && c.indexed_at <= now)
      .sort((a, b) => (lookups.order.get(a) ?? 0) - (lookups.order.get(b) ?? 0));
  }
}

/** Contacts a query can match by index (see `Workspace.searchCandidates`), or `undefined` when it needs a scan. */
function candidatesOf(query: unknown, lookups: ContactLookups): Set<StoredContact> | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  const q = query as { field?: unknown; operator?: unknown; value?: unknown };
  if (q.operator === 'OR' || q.operator === 'AND') {
    if (!Array.isArray(q.value)) return undefined;
    const parts = q.value.map((part) => candidatesOf(part, lookups));
    if (q.operator === 'AND') return parts.find((p) => p !== undefined);
    if (parts.some((p) => p === undefined)) return undefined;
    return new Set(parts.flatMap((p) => [...(p as Set<StoredContact>)]));
  }
  if (q.operator !== '=' && q.operator !== 'IN') return undefined;
  const values = q.operator === 'IN' ? q.value : [q.value];
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'string')) return undefined;
  const out = new Set<StoredContact>();
  for (const v of values as string[]) {
    if (q.field === 'id') {
      const c = lookups.byId.get(v);
      if (c) out.add(c);
    } else if (q.field === 'external_id') for (const c of lookups.byExternalId.get(v) ?? []) out.add(c);
    else if (q.field === 'email') for (const c of lookups.byEmail.get(v.toLowerCase()) ?? []) out.add(c);
    else return undefined;
  }
  return out;
}

function asText(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
