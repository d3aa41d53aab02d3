import { describe, expect, it } from 'vitest';
import { ABSENT, StringTable } from '../../src/state/string-table';

describe('StringTable (the first pass keeps ids and match keys outside the heap)', () => {
  it('numbers strings densely in the order added and reads each back exactly', () => {
    const table = new StringTable();
    // Latin-1, wider characters, lone surrogates, the empty string, and strings that differ only past Latin-1.
    const strings = ['a', 'person1@example.com', 'é', 'Zoë', '日本', '\ud800', '\udc00', '', 'a\u0100', 'a\u0000', 'A'];
    strings.forEach((s, i) => expect(table.add(s)).toBe(i));
    strings.forEach((s, i) => {
      expect(table.add(s)).toBe(i);
      expect(table.find(s)).toBe(i);
      expect(table.at(i)).toBe(s);
    });
    expect(table.size).toBe(strings.length);
    for (const absent of ['b', 'a\u0001', '\ud801', 'person1@example.co', 'Person1@example.com']) expect(table.find(absent)).toBe(ABSENT);
  });

  it('agrees with a Map over many strings, across growth', () => {
    const table = new StringTable();
    const map = new Map<string, number>();
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 50_000; i++) {
      const length = next() % 6;
      let s = '';
      for (let c = 0; c < length; c++) {
        const r = next() % 10;
        s += String.fromCharCode(r < 6 ? 97 + (next() % 4) : r < 8 ? 0xe0 + (next() % 3) : r < 9 ? 0xd800 + (next() % 2) : 0x4e00 + (next() % 2));
      }
      const entry = table.add(s);
      if (!map.has(s)) map.set(s, map.size);
      expect(entry).toBe(map.get(s));
    }
    expect(table.size).toBe(map.size);
    for (const [s, entry] of map) {
      expect(table.find(s)).toBe(entry);
      expect(table.at(entry)).toBe(s);
    }
  });
});
