import { EmulatorClient, type RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import type { ConformanceHarness, ConformanceRecord, DestinationView } from '@syncmodes/connector-kit/testing';
import { createIntercomEmulator, EMULATOR_ACCESS_TOKEN, type IntercomEmulatorOptions, type WorkspaceSnapshot } from '../src/emulator/index';
import { intercomDestination } from '../src/index';

/** A contact as `GET /__emulator/records` returns it (API shape plus `archived`). */
export interface ContactRecord {
  readonly id: string;
  readonly role: 'user' | 'lead';
  readonly external_id: string | null;
  readonly email: string;
  readonly name: string | null;
  readonly phone: string | null;
  readonly unsubscribed_from_emails: boolean;
  readonly custom_attributes: Record<string, string | number | boolean>;
  readonly tags: { readonly data: readonly { readonly id: string }[] };
  readonly archived: boolean;
}

/** The emulator's data, typed for tests. */
export interface IntercomRecords {
  readonly contacts: ContactRecord[];
  readonly tags: { id: string; name: string }[];
  readonly data_attributes: { name: string; data_type: string }[];
}

/** Custom attributes the harness workspace has. */
export const HARNESS_ATTRIBUTES = [
  { name: 'city', data_type: 'string' },
  { name: 'score', data_type: 'integer' },
] as const;

/** Starts an Intercom emulator on 127.0.0.1 for one test. */
export async function startEmulator(options: IntercomEmulatorOptions = {}) {
  const emulator = createIntercomEmulator(options);
  const url = await emulator.start();
  return { emulator, url, admin: new EmulatorClient(url), config: { baseUrl: url, accessToken: EMULATOR_ACCESS_TOKEN } };
}

/** The emulator's data. */
export const records = (admin: EmulatorClient): Promise<IntercomRecords> => admin.records<IntercomRecords>();

/** Tag names of a contact. */
export function tagNames(data: IntercomRecords, contact: ContactRecord): string[] {
  return contact.tags.data.map((t) => data.tags.find((x) => x.id === t.id)?.name ?? '?').sort();
}

/** Active (not archived) contacts as the conformance suite compares them. */
export async function readContacts(admin: EmulatorClient): Promise<DestinationView[]> {
  const data = await records(admin);
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
  return data.contacts
    .filter((c) => !c.archived)
    .map((c) => ({
      id: c.id,
      key: c.external_id ? `external_id:${c.external_id}` : `email:${c.email.toLowerCase()}`,
      properties: {
        external_id: text(c.external_id),
        email: text(c.email),
        name: text(c.name),
        'custom_attributes.city': text(c.custom_attributes.city),
        'custom_attributes.score': text(c.custom_attributes.score),
      },
      groups: tagNames(data, c),
    }));
}

/** A seed contact (API shape) for a conformance record. */
export function seedContact(r: ConformanceRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const p = r.snapshot.properties;
  const custom: Record<string, unknown> = {};
  if (p['custom_attributes.city'] !== null && p['custom_attributes.city'] !== undefined) custom.city = p['custom_attributes.city'];
  if (p['custom_attributes.score'] !== null && p['custom_attributes.score'] !== undefined) custom.score = Number(p['custom_attributes.score']);
  return {
    role: 'user',
    ...(p.external_id ? { external_id: p.external_id } : {}),
    ...(p.email ? { email: p.email } : {}),
    ...(p.name ? { name: p.name } : {}),
    custom_attributes: custom,
    tags: { data: r.snapshot.groups.map((name) => ({ name })) },
    ...extra,
  };
}

/** Classifies an emulator log entry for the conformance suite. */
export function classifyRequest(e: RequestLogEntry): 'read' | 'create' | 'update' | 'delete' | 'group' | 'other' {
  if (e.path === '/contacts/search' || e.method === 'GET') return 'read';
  if (e.path === '/tags' || /^\/contacts\/[^/]+\/tags/.test(e.path)) return 'group';
  if (e.path === '/contacts' && e.method === 'POST') return 'create';
  if (/^\/contacts\/[^/]+$/.test(e.path)) return e.method === 'PUT' ? 'update' : e.method === 'DELETE' ? 'delete' : 'other';
  if (/^\/contacts\/[^/]+\/archive$/.test(e.path)) return 'delete';
  return 'other';
}

const record = (i: number, groups: readonly string[] = []): ConformanceRecord => ({
  id: `c${i}`,
  snapshot: {
    properties: {
      external_id: `ext-${i}`,
      email: `person${i}@example.com`,
      name: `Person ${i}`,
      'custom_attributes.city': `City ${i}`,
      'custom_attributes.score': String(i),
    },
    groups: [...groups],
  },
});

/** Conformance harness: Intercom users matched by external_id, tags as groups. */
export const intercomHarness: ConformanceHarness<typeof intercomDestination.configSchema> = {
  destination: intercomDestination,
  async start() {
    const { emulator, admin, config } = await startEmulator();
    await admin.seed({ data_attributes: HARNESS_ATTRIBUTES } satisfies WorkspaceSnapshot);
    return {
      config,
      admin,
      seed: (rs) => admin.seed({ contacts: rs.map((r) => seedContact(r)) }),
      read: () => readContacts(admin),
      stop: () => emulator.stop(),
    };
  },
  record,
  withProperties: (r, properties) => ({ id: r.id, snapshot: { ...r.snapshot, properties: { ...r.snapshot.properties, ...properties } } }),
  invalidRecord: (i) => ({ id: `c${i}`, snapshot: { ...record(i).snapshot, properties: { ...record(i).snapshot.properties, 'custom_attributes.score': 'not a number' } } }),
  keyProperty: 'external_id',
  changedKey: (i) => `moved-${i}`,
  clearableProperty: 'custom_attributes.city',
  groups: true,
  classify: classifyRequest,
  recordsIn: () => 1,
  writeBatchLimit: 1,
  writeRequest: (kind) => (kind === 'create' ? { method: 'POST', path: '^/contacts$' } : { method: 'PUT', path: '^/contacts/[^/]+$' }),
};
