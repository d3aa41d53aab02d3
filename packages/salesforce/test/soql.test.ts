import { describe, expect, it } from 'vitest';
import { soqlLikeAnySpacing, soqlLiteral, inListsWithin } from '../src/client/soql-literal';
import { parseSoql, type SoqlCondition } from '../src/emulator/soql';

describe('SOQL literals', () => {
  it('a LIKE pattern for a name in any spacing: % for each space, its own % and _ escaped, quotes and backslashes as in a literal', () => {
    expect(soqlLikeAnySpacing('Spring Promo')).toBe("'Spring%Promo'");
    expect(soqlLikeAnySpacing('50% Off_Now')).toBe("'50\\%%Off\\_Now'");
    expect(soqlLikeAnySpacing("O'Brien \\ Club")).toBe("'O\\'Brien%\\\\%Club'");
  });

  it('escapes quotes, backslashes and control characters so the emulator parses them back', () => {
    const nasty = "o'brien \\ \"x\"\n\t%_";
    const q = parseSoql(`SELECT Id FROM Contact WHERE Email IN (${soqlLiteral(nasty)}, ${soqlLiteral('plain')})`);
    expect((q.where as SoqlCondition).values).toEqual([nasty, 'plain']);
  });

  it('splits IN lists to keep each list, encoded the strictest way (quotes and separators too), under the budget', () => {
    const strict = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).length;
    for (const values of [Array.from({ length: 500 }, (_, i) => `someone.with.a.long.address.${i}@example-company.com`), Array.from({ length: 3_000 }, (_, i) => `P${i}`), ["o'brien (x)", 'a*b!']]) {
      const lists = inListsWithin(values, 2_000);
      expect(lists.flat()).toEqual(values);
      for (const list of lists) expect(strict(list.map(soqlLiteral).join(', '))).toBeLessThanOrEqual(2_000);
    }
  });

  it('rejects malformed queries', () => {
    expect(() => parseSoql("SELECT Id FROM Contact WHERE Email = 'unterminated")).toThrow(/unterminated/);
    expect(() => parseSoql('SELECT Id FROM Contact WHERE Email ~ 3')).toThrow(/unexpected character/);
    expect(() => parseSoql('SELECT Id FROM Contact WHERE Email LIKE 3')).toThrow(/LIKE needs a string literal/);
    expect(() => parseSoql('SELECT Id FROM Contact LIMIT -1')).toThrow(/whole number/);
  });
});
