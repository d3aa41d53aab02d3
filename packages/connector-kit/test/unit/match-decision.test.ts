import { describe, expect, it } from 'vitest';
import { decideMatch } from '../../src/engine/steps/match-decision';

// What the kit makes of a lookup's answer for one key: a truth table, never a guess.
describe('decideMatch', () => {
  const rows: [string, Parameters<typeof decideMatch>[0], string | undefined, ReturnType<typeof decideMatch>][] = [
    ['no answer', undefined, undefined, { kind: 'none' }],
    ['nothing found', [], 'a', { kind: 'none' }],
    ['one', [{ id: 'a' }], undefined, { kind: 'one', record: { id: 'a' } }],
    ['the same id twice', [{ id: 'a' }, { id: 'a' }], undefined, { kind: 'one', record: { id: 'a' } }],
    ['two, one of them the known id', [{ id: 'a' }, { id: 'b' }], 'b', { kind: 'one', record: { id: 'b' } }],
    ['two, the known id not among them', [{ id: 'b' }, { id: 'a' }], 'c', { kind: 'ambiguous', ids: ['a', 'b'] }],
    ['three, no known id', [{ id: 'c' }, { id: 'a' }, { id: 'b' }], undefined, { kind: 'ambiguous', ids: ['a', 'b', 'c'] }],
    ['one holding another key only', [{ id: 'a', otherKey: 'external_id:u-1' }], undefined, { kind: 'rekey', candidates: [{ id: 'a', otherKey: 'external_id:u-1' }] }],
    ['a direct match beside one holding another key', [{ id: 'a', otherKey: 'external_id:u-1' }, { id: 'b' }], undefined, { kind: 'one', record: { id: 'b' } }],
    ['two direct matches beside one holding another key', [{ id: 'a', otherKey: 'k' }, { id: 'b' }, { id: 'c' }], undefined, { kind: 'ambiguous', ids: ['b', 'c'] }],
  ];
  for (const [name, found, knownId, want] of rows) {
    it(name, () => expect(decideMatch(found, knownId)).toEqual(want));
  }
});
