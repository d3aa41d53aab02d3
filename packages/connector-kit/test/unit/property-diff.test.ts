import { describe, expect, it } from 'vitest';
import { groupChanges, presentProperties, propertyChanges } from '../../src/index';

describe('propertyChanges', () => {
  it('sends only changed mapped properties, and null for emptied ones', () => {
    expect(propertyChanges({ a: '1', b: '2', c: '3', d: '' }, { a: '1', b: 'two', c: null, d: null })).toEqual({ b: 'two', c: null });
    expect(propertyChanges({ a: '1' }, { a: '' })).toEqual({ a: null });
    expect(propertyChanges({}, { a: 'new' })).toEqual({ a: 'new' });
  });

  it('leaves alone properties the mapping no longer has', () => {
    expect(propertyChanges({ Company: 'Acme', Title: 'CTO' }, { Title: 'CEO' })).toEqual({ Title: 'CEO' });
  });

  it('treats a number and its string as different values', () => {
    expect(propertyChanges({ n: 1 }, { n: '1' })).toEqual({ n: '1' });
  });
});

describe('presentProperties and groupChanges', () => {
  it('keeps only non-empty properties for a create', () => {
    expect(presentProperties({ a: 'x', b: null, c: '', d: false, e: 0 })).toEqual({ a: 'x', d: false, e: 0 });
  });
  it('computes groups to join and leave', () => {
    expect(groupChanges(['a', 'b'], ['b', 'c'])).toEqual({ add: ['c'], remove: ['a'] });
  });
});
