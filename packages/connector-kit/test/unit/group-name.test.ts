import { describe, expect, it } from 'vitest';
import { groupName, groupsNamed } from '../../src/index';

describe('group names in one spelling', () => {
  it.each([
    ['Spring\u00a0Promo', 'Spring Promo'],
    ['  Spring  \t Promo ', 'Spring Promo'],
    ['VIP\u202fClub', 'VIP Club'],
    ['\u3000', ''],
    ['Zoe\u0308', 'Zoë'],
  ])('groupName(%j) is %j', (raw, expected) => expect(groupName(raw)).toBe(expected));

  const named = (names: string[], name: string, caseInsensitive = false) => groupsNamed(names, name, (n) => n, { caseInsensitive });

  it('takes the groups named exactly first, else those named so but for white space; several are left for the caller to refuse', () => {
    expect(named(['Spring  Promo', 'Autumn'], 'Spring Promo')).toEqual(['Spring  Promo']);
    expect(named(['Spring Promo', 'Spring\u00a0Promo'], 'Spring Promo')).toEqual(['Spring Promo']);
    expect(named(['VIP  Club', 'VIP\u00a0Club'], 'VIP Club')).toEqual(['VIP  Club', 'VIP\u00a0Club']);
    expect(named(['Spring Big Promo'], 'Spring Promo')).toEqual([]);
  });

  it('sets case aside only for destinations that compare names so', () => {
    expect(named(['vip  club'], 'VIP Club')).toEqual([]);
    expect(named(['vip  club'], 'VIP Club', true)).toEqual(['vip  club']);
    expect(named(['vip club', 'VIP\u00a0Club'], 'VIP Club', true)).toEqual(['vip club']);
  });
});
