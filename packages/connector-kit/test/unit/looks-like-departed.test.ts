import { describe, expect, it } from 'vitest';
import type { Properties, RecordSnapshot } from '../../src/records/types';
import { looksLikeDeparted } from '../../src/engine/steps/key-holder';

const snap = (properties: Properties): RecordSnapshot => ({ properties, groups: [] });
const byEmail = (s: RecordSnapshot) => (typeof s.properties.Email === 'string' ? s.properties.Email.toLowerCase() : undefined);
const own = snap({ Email: 'bob@x.com', FirstName: 'Bob', LastName: 'Lane', Title: 'CTO' });
const departed = snap({ Email: 'ann@x.com', FirstName: 'Ann', LastName: 'Lane', Title: 'CEO' });

describe('looksLikeDeparted: a row with a departed record\'s key, its own values against the departed record\'s', () => {
  it.each([
    ['kept its own name and title (a key handed on)', { Email: 'ann@x.com', FirstName: 'Bob', LastName: 'Lane', Title: 'CTO' }, false],
    ['took the departed name and title (ids reused)', { Email: 'ann@x.com', FirstName: 'Ann', LastName: 'Lane', Title: 'CEO' }, true],
    ['one of each: a tie is unsure, so it looks like it', { Email: 'ann@x.com', FirstName: 'Ann', LastName: 'Lane', Title: 'CTO' }, true],
    ['neither: new values everywhere (unsure)', { Email: 'ann@x.com', FirstName: 'Zed', LastName: 'Lane', Title: 'CFO' }, true],
    ['the key in another case is still the key, not a vote', { Email: 'ANN@x.com', FirstName: 'Bob', LastName: 'Lane', Title: 'CTO' }, false],
    ['an emptied title counts for nobody; the own name decides', { Email: 'ann@x.com', FirstName: 'Bob', LastName: 'Lane', Title: '' }, false],
  ] as const)('%s → %s', (_what, next, expected) => {
    expect(looksLikeDeparted(snap(next), own, departed, byEmail)).toBe(expected);
  });

  it('only the key differs between the two records: nothing tells them apart (unsure)', () => {
    expect(looksLikeDeparted(snap({ Email: 'ann@x.com', LastName: 'Lane' }), snap({ Email: 'bob@x.com', LastName: 'Lane' }), snap({ Email: 'ann@x.com', LastName: 'Lane' }), byEmail)).toBe(true);
  });

  it('empty values are alike: null, "" and a missing property', () => {
    const a = snap({ Email: 'bob@x.com', Phone: null, Title: 'CTO' });
    const d = snap({ Email: 'ann@x.com', Title: 'CEO' });
    expect(looksLikeDeparted(snap({ Email: 'ann@x.com', Phone: '', Title: 'CTO' }), a, d, byEmail)).toBe(false);
  });
});
