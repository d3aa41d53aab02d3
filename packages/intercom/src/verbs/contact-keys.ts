import { isSpreadsheetExponent, spreadsheetExponentError, type PropertyValue, type RecordSnapshot, type SyncError } from '@syncmodes/connector-kit';
import type { IntercomConfig } from '../config';

const text = (value: PropertyValue | undefined): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const t = String(value).trim();
  return t === '' ? undefined : t;
};

/** The record's `external_id` (trimmed; Intercom compares it exactly). */
export const externalIdOf = (snapshot: RecordSnapshot): string | undefined => text(snapshot.properties.external_id);

/** The record's email, trimmed and lowercased (Intercom compares emails case-insensitively). */
export const emailOf = (snapshot: RecordSnapshot): string | undefined => text(snapshot.properties.email)?.toLowerCase();

/** Whether the `matchBy` option looks at external ids and at emails. */
export function matchFields(matchBy: IntercomConfig['matchBy']): { readonly byExternalId: boolean; readonly byEmail: boolean } {
  return { byExternalId: matchBy !== 'email', byEmail: matchBy !== 'external_id' };
}

/**
 * The record's normalised match key: `external_id:<id>` when matching by external id and
 * the record has one, else `email:<lowercased email>` when matching by email; `undefined`
 * when the record has neither.
 */
export function contactMatchKey(snapshot: RecordSnapshot, matchBy: IntercomConfig['matchBy']): string | undefined {
  const { byExternalId, byEmail } = matchFields(matchBy);
  const externalId = byExternalId ? externalIdOf(snapshot) : undefined;
  if (externalId !== undefined) return `external_id:${externalId}`;
  const email = byEmail ? emailOf(snapshot) : undefined;
  return email === undefined ? undefined : `email:${email}`;
}

/** Words for the match key in messages. */
export function matchKeyLabel(matchBy: IntercomConfig['matchBy']): string {
  return matchBy === 'external_id_then_email' ? 'external_id or email' : matchBy;
}

/**
 * Why a source record is refused before it is matched: an external_id a spreadsheet wrote as
 * `4.479E+11` (`scientific_notation`) stands for several users; it is never looked up, nor
 * given to a contact, nor taken as evidence of who a contact is, whatever `matchBy` says.
 */
export function refusedContactKey(snapshot: RecordSnapshot): SyncError | undefined {
  const externalId = externalIdOf(snapshot);
  return externalId !== undefined && isSpreadsheetExponent(externalId) ? spreadsheetExponentError('external_id') : undefined;
}
