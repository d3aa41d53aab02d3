import type { LookupRequest } from '@syncmodes/connector-kit';
import type { SalesforceClient } from '../client/salesforce-client';

/** A record as a lookup reads it: its id, match field, and the Email and IsConverted where asked for. */
export type Row = Record<string, unknown> & { Id: string; IsConverted?: boolean; Email?: unknown };

/**
 * The record this sync wrote for a request (`knownId`), read by id, when the lookup should
 * count it among the request's matches: when it still holds the request's key in another
 * case (on a case-sensitive field, a row whose key changed only in case, `cus_abc1` →
 * `cus_ABC1`, is still that record: fresh helper 66, finding 1); and, whatever its match
 * field holds now, when the key finds no record at all (a person changed its Email in
 * Salesforce, and it is still the record this sync wrote for the row: fresh helper 108,
 * finding 1). Looked up by the key alone, neither was found, and a second record was created
 * for the same person. Beside another record holding the key it is not counted: that other
 * record has the key (the kit refuses a key move onto it, `match_key_taken`) — except for a
 * record that left the source (`confirmKnown`): its own record is what it acts on, and another
 * Contact holding its Email, the survivor of a merge say, is someone else's.
 */
export function knownRow(r: LookupRequest, byId: ReadonlyMap<string, Row>, field: string, keyFound: boolean): Row | undefined {
  const row = r.knownId === undefined ? undefined : byId.get(r.knownId);
  return row && (!keyFound || r.confirmKnown === true || String(row[field] ?? '').trim().toLowerCase() === r.matchKey) ? row : undefined;
}

/** How a lookup compares match-field values: a request's value and a found record's, in one form. */
export interface KeyForm {
  /** Values match only as written (a case-sensitive field). */
  readonly exact: boolean;
  /** The value a request looks up (the literal of its query). */
  readonly ofRequest: (r: LookupRequest, field: string) => string;
  /** A found record's value in the same form. */
  readonly ofValue: (value: unknown) => string;
}

/** Case-insensitive fields: the kit's key (trimmed, lower-cased). */
const CASE_INSENSITIVE: KeyForm = { exact: false, ofRequest: (r) => r.matchKey, ofValue: (value) => String(value ?? '').trim().toLowerCase() };

/** "Unique, case sensitive" fields: the value as written, trimmed (the kit's key when the snapshot does not hold it). */
const CASE_SENSITIVE: KeyForm = {
  exact: true,
  ofRequest: (r, field) => {
    const written = valueAsWritten(r.snapshot.properties, field);
    return written !== undefined && written.toLowerCase() === r.matchKey ? written : r.matchKey;
  },
  ofValue: (value) => String(value ?? '').trim(),
};

/** The form of the client's match field (see `findRecords`). */
export function keyForm(client: SalesforceClient): KeyForm {
  return client.matchField.unique && client.matchField.caseSensitive ? CASE_SENSITIVE : CASE_INSENSITIVE;
}

/** A property's value trimmed, the field named in any case (mappings may spell it differently); undefined when absent. */
function valueAsWritten(properties: LookupRequest['snapshot']['properties'], field: string): string | undefined {
  const wanted = field.toLowerCase();
  for (const name in properties) {
    const value = properties[name];
    if (name.toLowerCase() === wanted && value !== null && value !== undefined) return String(value).trim();
  }
  return undefined;
}

