import { describe, expect, it } from 'vitest';
import { withExactIdentifiers } from '../../src/engine/scan/exact-identifiers';
import { mapRow } from '../../src/index';
import type { RecordSnapshot, SourceRecord } from '../../src/records/types';

// Trial 20a F2: values are NFC-normalised; an external id sent normalised addressed another record.

const mapping = { idColumn: 'id', fields: { external_id: 'ext', name: 'name', email: 'email' } };
const nfd = 'jose\u0301';
const nfc = 'jos\u00e9';
const record = (row: Record<string, string>) => mapRow(row, 2, mapping) as SourceRecord;
/** An identity made of the external id only (as OneSignal's match key: trimmed, exact otherwise). */
const byExternalId = (s: RecordSnapshot) => String(s.properties.external_id ?? '').trim();

describe('values normalisation changed, and identifiers', () => {
  it('mapRow keeps a value NFC changed as written (trimmed) in exact; unchanged and space-only differences are not kept', () => {
    const r = record({ id: 'r1', ext: ` ${nfd} `, name: nfd, email: ' a@x.com ' });
    expect(r.snapshot.properties).toEqual({ external_id: nfc, name: nfc, email: 'a@x.com' });
    expect(r.exact).toEqual({ external_id: nfd, name: nfd });
    expect(record({ id: 'r1', ext: 'c1', name: 'Ann', email: 'a@x.com' }).exact).toBeUndefined();
  });

  it('the identifier is put back as written; the other values stay normalised', () => {
    const r = withExactIdentifiers(record({ id: 'r1', ext: nfd, name: nfd, email: 'a@x.com' }), byExternalId);
    expect(r.snapshot.properties).toEqual({ external_id: nfd, name: nfc, email: 'a@x.com' });
  });

  it('a record whose identifiers normalisation did not change is returned as it is', () => {
    const r = record({ id: 'r1', ext: 'c1', name: nfd, email: 'a@x.com' });
    expect(withExactIdentifiers(r, byExternalId)).toBe(r);
  });
});
