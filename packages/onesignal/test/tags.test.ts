import type { UpdateItem } from '@syncmodes/connector-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { onesignalConfigSchema } from '../src/config';
import { chunkTagChanges, groupTag, numberTag, tagValue, tagWriteFor } from '../src/index';

const config = onesignalConfigSchema.parse({ appId: 'app', restApiKey: 'key', dateTags: 'born,seen', booleanTags: 'vip', dateFormat: 'dd/MM/yyyy' });
const item = (properties: UpdateItem['properties'], next: UpdateItem['snapshot'], groups?: UpdateItem['groups']): UpdateItem => ({
  ref: 1,
  recordId: 'r1',
  destinationId: 'u1',
  snapshot: next,
  properties,
  ...(groups ? { groups } : {}),
});

describe('tag values', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it('turns plain dates into unix seconds at UTC midnight, whatever the process time zone', () => {
    const expected = String(Date.UTC(1990, 4, 17) / 1000);
    for (const zone of ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC']) {
      process.env.TZ = zone;
      expect(tagValue('born', '17/05/1990', config)).toEqual({ ok: true, value: expected });
      expect(tagValue('born', '1990-05-17', config)).toEqual({ ok: true, value: expected });
    }
    expect(tagValue('born', '2024-01-01T00:00:00+01:00', config)).toEqual({ ok: true, value: String(Date.UTC(2023, 11, 31, 23) / 1000) });
    expect(tagValue('born', '2024-01-01T00:00:00', config)).toMatchObject({ ok: false, error: { code: 'invalid_date' } }); // no zone: ambiguous
    expect(tagValue('born', '31/02/1990', config)).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
  });

  it('reads whole-number dates by magnitude (epoch seconds or milliseconds) or by the declared unit', () => {
    expect(tagValue('born', 642902400000, config)).toEqual({ ok: true, value: '642902400' });
    expect(tagValue('born', '642902400000', config)).toEqual({ ok: true, value: '642902400' });
    const seconds = onesignalConfigSchema.parse({ appId: 'app', restApiKey: 'key', dateTags: 'born', epochUnit: 'seconds' });
    expect(tagValue('born', 642902400000, seconds)).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
    const millis = onesignalConfigSchema.parse({ appId: 'app', restApiKey: 'key', dateTags: 'born', epochUnit: 'milliseconds' });
    expect(tagValue('born', 86400000, millis)).toEqual({ ok: true, value: '86400' });
  });

  // Fresh reviewer 97, F3: short whole numbers were read as epoch seconds: a year (1990) became
  // 1970-01-01T00:33:10Z, 0 the epoch, spreadsheet serial days (45383) dates in 1970, and
  // 33010.5 was cut to 33010 — all reported updated. Fresh reviewer 100, F2: fractional epoch
  // seconds (Python's time.time()) must still be read, cut to whole seconds as before.
  it('reads a number as epoch seconds only from 9 digits (auto); from there a fraction is cut to whole seconds', () => {
    const refused = (value: string | number, options = config) => {
      const result = tagValue('born', value, options);
      expect(result, String(value)).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
      return result.ok ? '' : result.error.message;
    };
    for (const value of ['1990', 1990, '0', 0, '45383', 45383, 33010, '99999999', -1990]) {
      expect(refused(value)).toMatch(/^Tag born is a number of fewer than 9 digits, .*written as dd\/MM\/yyyy or yyyy-MM-dd.*epoch seconds \(9 digits or more\)/);
    }
    for (const value of ['33010.5', 33010.5]) expect(refused(value)).toMatch(/^Tag born is a number of fewer than 9 digits before its decimal point.*dd\/MM\/yyyy/);
    expect(tagValue('born', 642902400.5, config)).toEqual({ ok: true, value: '642902400' });
    expect(tagValue('born', '1700000000.123', config)).toEqual({ ok: true, value: '1700000000' });
    expect(tagValue('born', '642902400000.5', config)).toEqual({ ok: true, value: '642902400' });
    expect(tagValue('born', '642902400', config)).toEqual({ ok: true, value: '642902400' });
    expect(tagValue('born', -315619200, config)).toEqual({ ok: true, value: '-315619200' }); // 1960-01-01
    expect(tagValue('born', '100000000', config)).toEqual({ ok: true, value: '100000000' });
    // A declared unit says the numbers are epoch time: short ones are read, fractions too.
    const seconds = onesignalConfigSchema.parse({ appId: 'app', restApiKey: 'key', dateTags: 'born', epochUnit: 'seconds' });
    expect(tagValue('born', '0', seconds)).toEqual({ ok: true, value: '0' });
    expect(tagValue('born', 1.5, seconds)).toEqual({ ok: true, value: '1' });
    // The date format comes first: a format of digits only reads them as a date.
    const years = onesignalConfigSchema.parse({ appId: 'app', restApiKey: 'key', dateTags: 'born', dateFormat: 'yyyy' });
    expect(tagValue('born', '1990', years)).toEqual({ ok: true, value: String(Date.UTC(1990, 0, 1) / 1000) });
  });

  it('converts by kind and deletes with ""', () => {
    expect(tagValue('born', '17/05/1990', config)).toEqual({ ok: true, value: '642902400' });
    expect(tagValue('born', 642902400, config)).toEqual({ ok: true, value: '642902400' });
    expect(tagValue('born', 'soon', config)).toMatchObject({ ok: false, error: { code: 'invalid_date' } });
    expect(tagValue('vip', 'Y', config)).toEqual({ ok: true, value: 'true' });
    expect(tagValue('vip', '0', config)).toEqual({ ok: true, value: 'false' });
    expect(tagValue('vip', 'maybe', config)).toMatchObject({ ok: false, error: { code: 'invalid_boolean' } });
    expect(tagValue('plan', true, config)).toEqual({ ok: true, value: 'true' });
    expect(tagValue('score', 12.5, config)).toEqual({ ok: true, value: '12.5' });
    expect(tagValue('plan', null, config)).toEqual({ ok: true, value: '' });
    expect(tagValue('born', null, config)).toEqual({ ok: true, value: '' });
    expect(numberTag(1e21)).toBe('1000000000000000000000');
    expect(numberTag(1e-7)).toBe('0.0000001');
  });

  it('never quotes the value in a conversion error', () => {
    const result = tagValue('born', 'Jane Doe 555-0100', config);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).not.toContain('Jane');
  });
});

describe('tag keys and changes', () => {
  it('names group tags by the normalised group name', () => {
    expect(groupTag('VIP Customers', 'in_')).toBe('in_vip_customers');
    expect(groupTag('  Café — Paris!! ', 'in_')).toBe('in_cafe_paris');
    expect(groupTag('★', 'seg-')).toMatch(/^seg-group_[0-9a-f]{8}$/);
    expect(groupTag('Straße Øst', 'in_')).toBe('in_strasse_ost');
  });

  it('a group name with letters or digits a tag key cannot hold gets a digest of the name: different groups never share a tag', () => {
    const tags = ['Клиенты', 'Партнёры', '顧客', '١٢٣'].map((n) => groupTag(n, 'in_'));
    expect(new Set(tags).size).toBe(4);
    for (const tag of tags) expect(tag).toMatch(/^in_group_[0-9a-f]{8}$/);
    expect(groupTag('Клиенты', 'in_')).toBe(groupTag('КЛИЕНТЫ', 'in_'));
    expect(groupTag('VIP 顧客', 'in_')).toMatch(/^in_vip_[0-9a-f]{8}$/);
    // Symbols too (emoji): "🔥 Fans" and "⭐ Fans" were both in_fans.
    expect(groupTag('🔥 Fans', 'in_')).not.toBe(groupTag('⭐ Fans', 'in_'));
    expect(groupTag('🔥 Fans', 'in_')).toMatch(/^in_fans_[0-9a-f]{8}$/);
    expect(groupTag('Café — Paris!!', 'in_')).toBe('in_cafe_paris');
    // ASCII symbols are punctuation here, as before: the tags of existing groups stay.
    expect(groupTag('C++', 'in_')).toBe('in_c');
    expect(groupTag('A+B = <x>', 'in_')).toBe('in_a_b_x');
  });

  it('with an empty prefix, a group tag with the key of a mapped property fails the user group_tag_clash, nothing sent', () => {
    const bare = { ...config, groupTagPrefix: '' };
    const write = tagWriteFor(item({ tier: 'gold' }, { properties: { external_id: 'u1', tier: 'gold' }, groups: ['Tier'] }, { add: ['Tier'], remove: [] }), bare);
    expect(write).toMatchObject({ error: { code: 'group_tag_clash' } });
    expect(tagWriteFor(item({ plan: 'pro' }, { properties: { external_id: 'u1', plan: 'pro' }, groups: ['VIP'] }, { add: ['VIP'], remove: [] }), bare)).toEqual({ changes: { plan: 'pro', vip: '1' }, overLimit: [] });
  });

  it('keeps a group tag that another of the user\'s groups still maps to', () => {
    const write = tagWriteFor(item({}, { properties: { external_id: 'u1' }, groups: ['VIP-Customers'] }, { add: ['VIP-Customers'], remove: ['VIP Customers'] }), config);
    expect(write).toEqual({ changes: { in_vip_customers: '1' }, overLimit: [] });
  });

  it('never writes external_id as a tag', () => {
    const write = tagWriteFor(item({ external_id: 'u1', plan: 'pro' }, { properties: { external_id: 'u1', plan: 'pro' }, groups: [] }), config);
    expect(write).toEqual({ changes: { plan: 'pro' }, overLimit: [] });
  });

  it('counts the user\'s managed tags against tagLimit: properties in mapping order, then groups; deletions always go', () => {
    const limited = { ...config, tagLimit: 2 };
    const next = { properties: { external_id: 'u1', a: '1', b: '2', gone: null }, groups: ['z'] };
    const write = tagWriteFor(item({ a: '1', b: '2', gone: null }, next, { add: ['z'], remove: ['old'] }), limited);
    expect(write).toEqual({ changes: { a: '1', b: '2', gone: '', in_old: '' }, overLimit: ['in_z'] });
  });

  it('splits changes into chunks of at most the limit, deletions first', () => {
    const chunks = chunkTagChanges({ a: '1', b: '', c: '3', d: '', e: '5' }, 2);
    expect(chunks).toEqual([{ b: '', d: '' }, { a: '1', c: '3' }, { e: '5' }]);
  });
});
