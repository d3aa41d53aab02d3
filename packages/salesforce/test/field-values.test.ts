import { MemoryStateStore, runSync } from '@syncmodes/connector-kit';
import { memorySource, perTestEmulator, type ConformanceRecord } from '@syncmodes/connector-kit/testing';
import { describe, expect, it } from 'vitest';
import type { FieldDescribe } from '../src/client/salesforce-api';
import { convertValue } from '../src/fields/field-values';
import { salesforceDestination } from '../src/index';
import { startEmulator } from './salesforce-harness';

const field = (spec: Partial<FieldDescribe> & Pick<FieldDescribe, 'name' | 'type'>): FieldDescribe => ({
  length: 0,
  nillable: true,
  createable: true,
  updateable: true,
  defaultedOnCreate: false,
  externalId: false,
  unique: false,
  caseSensitive: false,
  restrictedPicklist: false,
  picklistValues: [],
  ...spec,
});

describe('convertValue', () => {
  const birthdate = field({ name: 'Birthdate', type: 'date' });

  // Fresh reviewer 148, M2: a custom Number(18, 0) field describes as double of scale 0; Salesforce rounds what has more decimals.
  it.each([
    [0, '1.000', '!invalid_number'],
    [0, '1.5', '!invalid_number'],
    [0, '42', 42],
    [0, '0.000', 0],
    [2, '1.555', '!number_not_exact'],
    [2, '1.55', 1.55],
    [2, '12.500', 12.5],
    [undefined, '1.555', 1.555],
  ] as const)('a double of scale %s given %j: %j', (scale, value, expected) => {
    const r = convertValue(field({ name: 'Seats__c', type: 'double', scale }), value, {});
    expect(r.ok ? r.value : `!${r.error.code}`).toBe(expected);
  });

  // Fresh trial 147, F1: a phone a spreadsheet turned into 4.479E+11 was written as that text over the good number.
  it.each(['4.479E+11', '4,479E+11', ' 5.35E+09 ', '1E+10'])('a phone in scientific notation (%j) is refused scientific_notation, naming the field', (value) => {
    const r = convertValue(field({ name: 'MobilePhone', type: 'phone', length: 40 }), value, {});
    expect(r).toMatchObject({ ok: false, error: { code: 'scientific_notation', message: expect.stringMatching(/^MobilePhone is written in a spreadsheet's scientific notation/) } });
  });

  // Fresh reviewer 154, F7: an external-id field that is not the match field was written as 4.479E+11.
  it('an external-id text field in scientific notation is refused scientific_notation; other text fields and hex ids are sent', () => {
    const extId = field({ name: 'Legacy_Id__c', type: 'string', length: 40, externalId: true });
    expect(convertValue(extId, '4.479E+11', {})).toMatchObject({ ok: false, error: { code: 'scientific_notation', message: expect.stringMatching(/^Legacy_Id__c \(an external-id field\) is written in a spreadsheet's scientific notation/) } });
    expect(convertValue(extId, '12e45', {})).toEqual({ ok: true, value: '12e45' });
    expect(convertValue(field({ name: 'Notes__c', type: 'string', length: 40 }), '4.479E+11', {})).toEqual({ ok: true, value: '4.479E+11' });
    // A Number external id too (fresh reviewer 155, F5: it took 447900000000).
    expect(convertValue(field({ name: 'Legacy_No__c', type: 'double', scale: 0, externalId: true }), '4.479E+11', {})).toMatchObject({ ok: false, error: { code: 'scientific_notation' } });
  });

  it.each(['+44 7900 900123', '447900900123', '(555) 010-0199 ext. 12'])('a phone written out (%j) is sent', (value) => {
    expect(convertValue(field({ name: 'Phone', type: 'phone', length: 40 }), value, {})).toEqual({ ok: true, value: value.trim() });
  });

  it.each(['UTC', 'Pacific/Kiritimati', 'America/Adak', 'Asia/Kolkata'])('sends a DD-MM-YYYY date as the same calendar day in time zone %s', (tz) => {
    const before = process.env.TZ;
    process.env.TZ = tz;
    try {
      expect(convertValue(birthdate, '26-08-2020', { format: 'dd-MM-yyyy' })).toEqual({ ok: true, value: '2020-08-26' });
      expect(convertValue(birthdate, '01-01-1970', { format: 'dd-MM-yyyy' })).toEqual({ ok: true, value: '1970-01-01' });
      expect(convertValue(birthdate, '2020-08-26', { format: 'dd-MM-yyyy' })).toEqual({ ok: true, value: '2020-08-26' });
    } finally {
      process.env.TZ = before;
    }
  });

  it('rejects impossible dates with invalid_date, naming the field and format', () => {
    const r = convertValue(birthdate, '31-02-2020', { format: 'dd-MM-yyyy' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid_date');
      expect(r.error.message).toBe('Birthdate is not a date that exists (a month past 12, or a day past the end of its month such as 30 February).');
    }
    expect(convertValue(birthdate, '26/08/2020', { format: 'dd-MM-yyyy' })).toMatchObject({
      ok: false,
      error: { message: 'Birthdate must be a date written as dd-MM-yyyy or yyyy-MM-dd, as an ISO 8601 date-time with a time zone, or as epoch seconds or milliseconds.' },
    });
  });

  it('reads whole-number dates by magnitude or by the declared unit, and date-times without a time-zone shift (kit value coercion)', () => {
    expect(convertValue(birthdate, 1598400000000, {})).toEqual({ ok: true, value: '2020-08-26' });
    expect(convertValue(birthdate, '1598400000', {})).toEqual({ ok: true, value: '2020-08-26' });
    expect(convertValue(birthdate, 1598400000000, { epochUnit: 'seconds' })).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
    const lastSeen = field({ name: 'Last_Seen__c', type: 'datetime' });
    expect(convertValue(lastSeen, '2024-03-01T10:00:00+02:00', {})).toEqual({ ok: true, value: '2024-03-01T08:00:00.000Z' });
    expect(convertValue(lastSeen, 1709287200000, {})).toEqual({ ok: true, value: '2024-03-01T10:00:00.000Z' });
    expect(convertValue(lastSeen, '2024-03-01T10:00:00', {})).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
  });

  it('refuses numbers a number field would round (number_not_exact)', () => {
    const amount = field({ name: 'AnnualRevenue', type: 'currency' });
    expect(convertValue(amount, '9007199254740993', {})).toMatchObject({ ok: false, error: { code: 'number_not_exact' } });
    expect(convertValue(amount, '0.12345678901234567891', {})).toMatchObject({ ok: false, error: { code: 'number_not_exact' } });
    expect(convertValue(amount, '1234.56', {})).toEqual({ ok: true, value: 1234.56 });
    const externalText = field({ name: 'Customer_Id__c', type: 'string', length: 50, externalId: true });
    expect(convertValue(externalText, '9007199254740993', {})).toEqual({ ok: true, value: '9007199254740993' });
  });

  it('checks text length against the field without echoing the value', () => {
    const r = convertValue(field({ name: 'FirstName', type: 'string', length: 40 }), 'Å'.repeat(41), {});
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('value_too_long');
      expect(r.error.message).toBe('FirstName has 41 characters; Salesforce allows 40. Shorten it.');
    }
    expect(convertValue(field({ name: 'FirstName', type: 'string', length: 40 }), 'Å'.repeat(40), {}).ok).toBe(true);
  });

  it('checks and sends text trimmed, as Salesforce saves it: an email with surrounding spaces is valid; the limit counts what is kept', () => {
    const email = field({ name: 'Email', type: 'email', length: 80 });
    expect(convertValue(email, ' ann@example.com\t', {})).toEqual({ ok: true, value: 'ann@example.com' });
    const key = field({ name: 'Customer_Id__c', type: 'string', length: 5, externalId: true, unique: true });
    expect(convertValue(key, ' ABCDE ', {})).toEqual({ ok: true, value: 'ABCDE' });
    expect(convertValue(key, ' ABCDEF ', {})).toMatchObject({ ok: false, error: { code: 'value_too_long' } });
    // Blank text is left as it is (an empty cell of a Bulk API job means "unchanged", not blank).
    expect(convertValue(field({ name: 'Title', type: 'string', length: 10 }), '   ', {})).toEqual({ ok: true, value: '   ' });
  });

  it('validates emails, restricted picklists, numbers and booleans', () => {
    expect(convertValue(field({ name: 'Email', type: 'email', length: 80 }), 'not-an-email', {})).toMatchObject({ ok: false, error: { code: 'invalid_email' } });
    const status = field({ name: 'Status', type: 'picklist', length: 40, restrictedPicklist: true, picklistValues: [{ value: 'Open', active: true }] });
    expect(convertValue(status, 'Closed', {})).toMatchObject({ ok: false, error: { code: 'invalid_picklist_value' } });
    expect(convertValue(status, 'Open', {})).toEqual({ ok: true, value: 'Open' });
    expect(convertValue(status, ' open ', {})).toEqual({ ok: true, value: 'Open' });
    const twins = field({ name: 'Status', type: 'picklist', length: 40, restrictedPicklist: true, picklistValues: [{ value: 'Open', active: true }, { value: 'OPEN', active: true }] });
    expect(convertValue(twins, 'open', {})).toMatchObject({ ok: false, error: { code: 'invalid_picklist_value', message: expect.stringContaining('2 of them differ from it only in letter case') } });
    expect(convertValue(twins, 'OPEN', {})).toEqual({ ok: true, value: 'OPEN' });
    const colours = field({ name: 'Colours__c', type: 'multipicklist', length: 4099, restrictedPicklist: true, picklistValues: [{ value: 'Red', active: true }, { value: 'Blue', active: true }, { value: 'Green', active: false }] });
    expect(convertValue(colours, 'red; BLUE', {})).toEqual({ ok: true, value: 'Red;Blue' });
    expect(convertValue(colours, 'Red;red', {})).toEqual({ ok: true, value: 'Red' });
    expect(convertValue(colours, 'Red;Green', {})).toMatchObject({ ok: false, error: { code: 'invalid_picklist_value' } });
    const at = field({ name: 'Last_Seen__c', type: 'datetime' });
    expect(convertValue(at, '4000-12-31T00:00:00Z', {})).toMatchObject({ ok: true });
    expect(convertValue(at, '4000-12-31T23:00:00Z', {})).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
    expect(convertValue(at, '1699-12-31T23:59:59Z', {})).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
    expect(convertValue(field({ name: 'NumberOfEmployees', type: 'int' }), '12.5', {})).toMatchObject({ ok: false, error: { code: 'invalid_number' } });
    expect(convertValue(field({ name: 'NumberOfEmployees', type: 'int' }), '12', {})).toEqual({ ok: true, value: 12 });
    expect(convertValue(field({ name: 'HasOptedOutOfEmail', type: 'boolean' }), 'Yes', {})).toEqual({ ok: true, value: true });
    expect(convertValue(field({ name: 'HasOptedOutOfEmail', type: 'boolean' }), 'maybe', {})).toMatchObject({ ok: false, error: { code: 'invalid_boolean' } });
    expect(convertValue(field({ name: 'Title', type: 'string', length: 10 }), null, {})).toEqual({ ok: true, value: null });
  });
});

// Fresh reviewer 148, M2, through the describe: the scale reaches the check.
describe('a Number(18, 0) field, as the org describes it', () => {
  const t = perTestEmulator(startEmulator);

  it('refuses a fraction or a dot-grouped number (invalid_number), writes a whole one', async () => {
    const row = (id: string, seats: string): ConformanceRecord => ({ id, snapshot: { properties: { Email: `${id}@example.com`, LastName: id, Seats__c: seats }, groups: [] } });
    const summary = await runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'additive', source: memorySource([row('a', '1.000'), row('b', '2.5'), row('c', '3')]), state: new MemoryStateStore(), retry: { minTimeoutMs: 5, maxTimeoutMs: 20 } });
    expect(summary.results.map((r) => r.code ?? r.outcome)).toEqual(['invalid_number', 'invalid_number', 'created']);
    expect(t.env.emulator.org.all('Contact').map((c) => c.Seats__c)).toEqual([3]);
  });
});
