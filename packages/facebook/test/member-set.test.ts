import { describe, expect, it } from 'vitest';
import { MemberSet } from '../src/emulator/member-set';

/** The emulator's people of one audience: Meta keeps a member matched by every identifier ever sent for it. */
describe('MemberSet (Facebook emulator)', () => {
  it('a member stays matched by an identifier it no longer shows, also after its data is saved and loaded', () => {
    const set = new MemberSet();
    set.add({ EMAIL: 'a-old', PHONE: 'p1' });
    set.add({ EMAIL: 'a-new', PHONE: 'p1' }); // the same person, a new email
    expect(set.list()).toEqual([{ EMAIL: 'a-new', PHONE: 'p1' }]);
    expect(set.matching({ EMAIL: 'a-old' }).size).toBe(1);

    const loaded = new MemberSet(set.list(), set.links());
    expect(set.links()).toEqual([['EMAIL:a-old']]);
    expect(loaded.matching({ EMAIL: 'a-old' })).toEqual(loaded.matching({ PHONE: 'p1' }));
    loaded.remove(loaded.matching({ EMAIL: 'a-old' }));
    expect(loaded.size).toBe(0);
  });

  it('removing a member drops every link it had: a later row with one of its old identifiers is a new person', () => {
    const set = new MemberSet();
    set.add({ EMAIL: 'a-old', PHONE: 'p1' });
    set.add({ EMAIL: 'a-new', PHONE: 'p1' });
    set.remove(set.matching({ PHONE: 'p1' }));
    set.add({ EMAIL: 'a-old' });
    expect(set.list()).toEqual([{ EMAIL: 'a-old' }]);
    expect(set.links()).toEqual([[]]);
  });

  it('members saved apart are loaded apart, even when one was once linked to an identifier of another', () => {
    const loaded = new MemberSet([{ EMAIL: 'x' }, { EMAIL: 'y' }], [['PHONE:p'], []]);
    expect(loaded.size).toBe(2);
    expect(loaded.matching({ PHONE: 'p' }).size).toBe(1);
  });
});
