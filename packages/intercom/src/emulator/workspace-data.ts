import type { EmulatorData } from '@syncmodes/connector-kit/emulator';
import { IntercomApiError } from './api-errors';
import { contactJson } from './contact-json';
import { readContactValues } from './contact-values';
import { customAttributeJson, STANDARD_CONTACT_ATTRIBUTES, type DataAttributeJson } from './data-attributes';
import { IdSource } from './intercom-ids';
import type { DeletedContact, StoredContact } from './stored-contact';
import type { Workspace } from './workspace';

/**
 * The emulator's data in the API's own JSON shapes: what `GET /__emulator/records` returns,
 * what persistence writes, and what `POST /__emulator/seed` accepts (every key optional).
 *
 * - `data_attributes`: custom contact attributes, `{ "name": "plan", "data_type": "string" }`
 *   (the rest of the API's `data_attribute` shape is optional). Seed them before contacts
 *   that use them.
 * - `tags`: `{ "id": "7", "name": "VIP" }` (`id` optional).
 * - `contacts`: API `contact` objects: `role` (default `user`), `external_id`, `email`,
 *   `name`, `phone`, `avatar`, `owner_id`, `signed_up_at`, `last_seen_at`,
 *   `unsubscribed_from_emails`, `custom_attributes`, `tags: { "data": [{ "id": "7" } or
 *   { "name": "VIP" }] }` (tags named here are created), `created_at`, and `"archived": true`
 *   for an archived contact. `id` is generated when absent.
 * - `deleted`: permanently deleted users `{ "id", "external_id", "email" }`.
 */
export interface WorkspaceSnapshot {
  readonly contacts?: readonly Record<string, unknown>[];
  readonly tags?: readonly { readonly id?: string; readonly name: string }[];
  readonly data_attributes?: readonly Partial<DataAttributeJson>[];
  readonly deleted?: readonly DeletedContact[];
  readonly next_id?: number;
}

function fail(message: string): never {
  throw new Error(`Invalid Intercom emulator seed: ${message}`);
}

function seedAttributes(ws: Workspace, attributes: readonly Partial<DataAttributeJson>[]): void {
  for (const a of attributes) {
    if (typeof a.name !== 'string') fail('every data attribute needs a "name"');
    const name = a.name.replace(/^custom_attributes\./, '');
    if (STANDARD_CONTACT_ATTRIBUTES[name] && a.custom !== true) continue;
    const existing = ws.attributes.get(name);
    if (existing) {
      if (a.data_type !== undefined && a.data_type !== existing.data_type) fail(`data attribute "${name}" is already a ${existing.data_type}`);
      continue;
    }
    const created = ws.createAttribute({ name, model: 'contact', data_type: a.data_type ?? 'string', description: a.description ?? '' });
    if (typeof a.id === 'number') ws.attributes.set(name, { ...created, id: a.id, archived: a.archived === true });
    else if (a.archived === true) ws.attributes.set(name, { ...created, archived: true });
  }
}

function seedTags(ws: Workspace, tags: readonly { id?: string; name: string }[]): void {
  for (const t of tags) {
    if (typeof t.name !== 'string' || t.name === '') fail('every tag needs a "name"');
    if (t.id !== undefined && !ws.tags.some((x) => x.id === String(t.id))) ws.tags.push({ id: String(t.id), name: t.name });
    else ws.tagNamed(t.name);
  }
}

function tagIdsOf(ws: Workspace, tags: unknown): string[] {
  const data = (tags as { data?: unknown } | undefined)?.data ?? [];
  if (!Array.isArray(data)) fail('contact "tags" must be { "data": [...] }');
  return data.map((ref: { id?: unknown; name?: unknown }) => {
    if (typeof ref.id === 'string' || typeof ref.id === 'number') return ws.tag(String(ref.id)).id;
    if (typeof ref.name === 'string') return ws.tagNamed(ref.name).id;
    return fail('a tag reference needs an "id" or a "name"');
  });
}

function seedContact(ws: Workspace, input: Record<string, unknown>): StoredContact {
  const role = input.role ?? 'user';
  if (role !== 'user' && role !== 'lead') fail(`contact role must be user or lead, got ${String(role)}`);
  const avatar = input.avatar as { image_url?: string } | string | null | undefined;
  const body: Record<string, unknown> = { ...input };
  if ('avatar' in input) body.avatar = typeof avatar === 'object' && avatar !== null ? (avatar.image_url ?? null) : avatar;
  let values;
  try {
    values = readContactValues(body, 'user', ws.attributes);
  } catch (error) {
    if (error instanceof IntercomApiError) fail(`contact ${String(input.email ?? input.id ?? '')}: ${error.message}`);
    throw error;
  }
  const now = ws.nowSec();
  const created = typeof input.created_at === 'number' ? input.created_at : now;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  const contact: StoredContact = {
    id: typeof input.id === 'string' ? input.id : ws.ids.contactId(created),
    role,
    external_id: text(values.standard.external_id),
    email: text(values.standard.email),
    phone: text(values.standard.phone),
    name: text(values.standard.name),
    avatar: text(values.standard.avatar),
    owner_id: (values.standard.owner_id as number | null | undefined) ?? null,
    signed_up_at: (values.standard.signed_up_at as number | null | undefined) ?? null,
    last_seen_at: (values.standard.last_seen_at as number | null | undefined) ?? null,
    unsubscribed_from_emails: values.standard.unsubscribed_from_emails === true,
    custom_attributes: Object.fromEntries(Object.entries(values.custom).filter(([, v]) => v !== null)),
    tag_ids: tagIdsOf(ws, input.tags),
    created_at: created,
    updated_at: typeof input.updated_at === 'number' ? input.updated_at : created,
    archived: input.archived === true,
    indexed_at: 0,
  };
  if (ws.contacts.some((c) => c.id === contact.id)) fail(`two contacts have id ${contact.id}`);
  return contact;
}

/** Adds seed data (see {@link WorkspaceSnapshot}) to the workspace. @throws Error on an invalid seed. */
export function seedWorkspace(ws: Workspace, input: unknown): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('expected an object with contacts, tags, data_attributes');
  const seed = input as WorkspaceSnapshot;
  seedAttributes(ws, seed.data_attributes ?? []);
  seedTags(ws, seed.tags ?? []);
  for (const c of seed.contacts ?? []) ws.contacts.push(seedContact(ws, c));
  for (const d of seed.deleted ?? []) ws.deleted.push({ id: d.id, external_id: d.external_id ?? null, email: d.email ?? null });
  if (typeof seed.next_id === 'number' && seed.next_id > ws.ids.counter) ws.ids = new IdSource(seed.next_id);
}

/** The workspace as {@link WorkspaceSnapshot} (API shapes; contacts carry `archived`). */
export function snapshotWorkspace(ws: Workspace): Required<WorkspaceSnapshot> {
  return {
    contacts: ws.contacts.map((c) => contactJson(c, { withArchived: true, allTags: true })),
    tags: ws.tags.map((t) => ({ type: 'tag', id: t.id, name: t.name })),
    data_attributes: [...ws.attributes.values()].map(customAttributeJson),
    deleted: [...ws.deleted],
    next_id: ws.ids.counter,
  };
}

/** The workspace as the kit's {@link EmulatorData} (admin endpoints and persistence). */
export function workspaceData(ws: Workspace): EmulatorData<Required<WorkspaceSnapshot>> {
  return {
    snapshot: () => snapshotWorkspace(ws),
    seed: (input) => seedWorkspace(ws, input),
    load: (data) => {
      ws.reset();
      seedWorkspace(ws, data);
    },
    reset: () => ws.reset(),
  };
}
