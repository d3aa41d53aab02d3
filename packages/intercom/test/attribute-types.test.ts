import { describe, expect, it } from 'vitest';
import { inferAttributeType } from '../src/index';

// New data attributes are never typed from values a number (or a date) would change (issue #12).

describe('inferAttributeType', () => {
  it.each([
    [['01234', '10001'], 'string'],
    [['007'], 'string'],
    [['1', '01'], 'string'],
    [['+5'], 'string'],
    [['1.50', '2'], 'string'],
    [['9007199254740993'], 'string'],
    [['02134', '94105', 'Oslo'], 'string'],
    [['10001', '94105'], 'integer'],
    [[3, '12'], 'integer'],
    [['1.5', '2'], 'float'],
    [['true', false], 'boolean'],
    [['1', '0'], 'integer'],
    [['2020-01-01', '26-08-2020'], 'date'],
    [['2024-03-01T10:00:00Z'], 'date'],
    [['2020-01-01', 'soon'], 'string'],
    [[], 'string'],
  ] as const)('%j → %s', (samples, type) => {
    expect(inferAttributeType(samples, { format: 'dd-MM-yyyy' }).type).toBe(type);
  });

  it('says why a column of numbers with leading zeros is a string', () => {
    expect(inferAttributeType(['01234', '10001'], {}).reason).toBe(
      'some values are digits a number would change (leading zeros, a sign, trailing zeros or more digits than a number keeps)',
    );
  });
});
