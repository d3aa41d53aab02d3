import { describe, expect, it } from 'vitest';
import type { FieldDescribe } from '../src/client/salesforce-api';
import { convertValue } from '../src/fields/field-values';

const field = (spec: Partial<FieldDescribe> & Pick<FieldDescribe, 'name' | 'type'>): FieldDescribe => ({
  length: 0,
  nillable: true,
  createable: true,
  updateable: true,
  defaultedOnCreate: false,
  externalId: false,
  restrictedPicklist: false,
  picklistValues: [],
  ...spec,
});

describe('convertValue', () => {
  const birthdate = field({ name: 'Birthdate', type: 'date' });

  it.each(['UTC', 'Pacific/Kiritimati', 'America/Adak', 'Asia/Kolkata'])('sends a DD-MM-YYYY date as the same calendar day in time zone %s', (tz) => {
    const before = process.env.TZ;
    process.env.TZ = tz;
    try {
      expect(convertValue(birthdate, '26-08-2020', 'dd-MM-yyyy')).toEqual({ ok: true, value: '2020-08-26' });
      expect(convertValue(birthdate, '01-01-1970', 'dd-MM-yyyy')).toEqual({ ok: true, value: '1970-01-01' });
      expect(convertValue(birthdate, '2020-08-26', 'dd-MM-yyyy')).toEqual({ ok: true, value: '2020-08-26' });
    } finally {
      process.env.TZ = before;
    }
  });

  it('rejects impossible dates with invalid_date, naming the field and format', () => {
    const r = convertValue(birthdate, '31-02-2020', 'dd-MM-yyyy');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_date');
      expect(r.error.message).toBe('Birthdate must be a date written as dd-MM-yyyy.');
    }
  });

  it('checks text length against the field without echoing the value', () => {
    const r = convertValue(field({ name: 'FirstName', type: 'string', length: 40 }), 'Å'.repeat(41), 'yyyy-MM-dd');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('value_too_long');
      expect(r.error.message).toBe('FirstName has 41 characters; Salesforce allows 40. Shorten it.');
    }
    expect(convertValue(field({ name: 'FirstName', type: 'string', length: 40 }), 'Å'.repeat(40), 'yyyy-MM-dd').ok).toBe(true);
  });

  it('validates emails, restricted picklists, numbers and booleans', () => {
    expect(convertValue(field({ name: 'Email', type: 'email', length: 80 }), 'not-an-email', 'x')).toMatchObject({ ok: false, error: { code: 'invalid_email' } });
    const status = field({ name: 'Status', type: 'picklist', length: 40, restrictedPicklist: true, picklistValues: [{ value: 'Open', active: true }] });
    expect(convertValue(status, 'Closed', 'x')).toMatchObject({ ok: false, error: { code: 'invalid_picklist_value' } });
    expect(convertValue(status, 'Open', 'x')).toEqual({ ok: true, value: 'Open' });
    expect(convertValue(field({ name: 'NumberOfEmployees', type: 'int' }), '12.5', 'x')).toMatchObject({ ok: false, error: { code: 'invalid_number' } });
    expect(convertValue(field({ name: 'NumberOfEmployees', type: 'int' }), '12', 'x')).toEqual({ ok: true, value: 12 });
    expect(convertValue(field({ name: 'HasOptedOutOfEmail', type: 'boolean' }), 'Yes', 'x')).toEqual({ ok: true, value: true });
    expect(convertValue(field({ name: 'HasOptedOutOfEmail', type: 'boolean' }), 'maybe', 'x')).toMatchObject({ ok: false, error: { code: 'invalid_boolean' } });
    expect(convertValue(field({ name: 'Title', type: 'string', length: 10 }), null, 'x')).toEqual({ ok: true, value: null });
  });
});
