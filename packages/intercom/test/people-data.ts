import { csvSource, type FieldMapping, type RecordSource, type SourceRecord } from '@syncmodes/connector-kit';
import type { RequestLogEntry } from '@syncmodes/connector-kit/emulator';
import { sharedDataFile } from '../../../tools/test/shared-data';

/** `shared/data/people-1000.csv` beside the project root (a test file using it fails, naming where it looked, when it is absent). */
export const PEOPLE_CSV = sharedDataFile('people-1000.csv');

/** people-1000.csv → Intercom contacts: the user id as external_id, Sex as tags. */
export const PEOPLE_MAPPING: FieldMapping = {
  idColumn: 'User Id',
  fields: {
    external_id: 'User Id',
    email: 'Email',
    name: 'First Name',
    phone: 'Phone',
    'custom_attributes.job_title': 'Job Title',
    'custom_attributes.date_of_birth': 'Date of birth',
  },
  groupsColumn: 'Sex',
};

/** Dates in people-1000.csv look like 27-01-2014. */
export const PEOPLE_DATE_FORMAT = 'dd-MM-yyyy';

/** The people as a source. */
export const peopleSource = (): RecordSource => csvSource(PEOPLE_CSV, PEOPLE_MAPPING);

/** The first `n` people as records. */
export async function firstPeople(n: number): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const item of peopleSource().open()) {
    if (item.kind !== 'record') continue;
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}

/** Seed contacts (API shape) for people already in Intercom, written by someone else: old names, no attributes. */
export function seedPeople(people: readonly SourceRecord[]): Record<string, unknown>[] {
  return people.map((p) => ({ role: 'user', external_id: p.snapshot.properties.external_id, email: p.snapshot.properties.email, name: 'Known before' }));
}

/** Kinds of Intercom calls, for counting calls per record. */
export type CallKind = 'search' | 'read' | 'create' | 'update' | 'unarchive' | 'remove' | 'tag' | 'tag_lookup' | 'attributes';

/** The kind of an emulator log entry. */
export function callKind(e: RequestLogEntry): CallKind {
  if (e.path === '/contacts/search') return 'search';
  if (e.path === '/data_attributes') return 'attributes';
  if (e.path === '/tags') return 'tag_lookup';
  if (/\/tags(\/|$)/.test(e.path)) return 'tag';
  if (e.path === '/contacts' && e.method === 'POST') return 'create';
  if (e.path.endsWith('/unarchive')) return 'unarchive';
  if (e.path.endsWith('/archive') || e.method === 'DELETE') return 'remove';
  if (e.method === 'PUT') return 'update';
  return 'read';
}

/** Calls by kind. */
export function countCalls(log: readonly RequestLogEntry[]): Partial<Record<CallKind, number>> {
  const out: Partial<Record<CallKind, number>> = {};
  for (const e of log) out[callKind(e)] = (out[callKind(e)] ?? 0) + 1;
  return out;
}
