import { describe, expect, it } from 'vitest';
import type { FoundRecord } from '../../src/destination/verbs';
import type { SyncMode } from '../../src/index';
import { ledgerRecord, type RecordView } from '../../src/engine/ledger/ledger-record';
import { classify } from '../../src/engine/steps/classify';
import { planMembership } from '../../src/engine/steps/plan-membership';
import type { StateEntry } from '../../src/state/state-store';

/** The record's side: in the source or not, and what state says. */
type RecordState = 'new' | 'unchanged' | 'changed' | 'pending' | 'left_owned' | 'left_not_owned' | 'left_claimed';
/** The destination's side: what the lookup found. */
type DestinationState = 'absent' | 'present' | 'archived' | 'blocked';

const props = { email: 'a@example.com', name: 'Ann' };
const entry = (overrides: Partial<StateEntry> = {}): StateEntry => ({
  recordId: 'r1',
  destinationId: 'd1',
  matchKey: 'a@example.com',
  snapshot: { properties: props, groups: ['vip'] },
  hash: 'h',
  owned: true,
  departed: false,
  ...overrides,
});

function record(state: RecordState, destination: DestinationState): RecordView {
  const left = state.startsWith('left');
  const stored =
    state === 'new' ? undefined : entry({ owned: state !== 'left_not_owned', pending: state === 'pending', snapshot: { properties: state === 'changed' ? { ...props, name: 'Old' } : props, groups: ['vip'] } });
  const r = ledgerRecord({ ref: 1, recordId: 'r1', row: left ? undefined : 1, next: left ? null : { properties: props, groups: ['vip'] }, entry: stored, matchKey: 'a@example.com', previousMatchKey: undefined });
  const found: Record<DestinationState, FoundRecord | undefined> = {
    absent: undefined,
    present: { id: 'd1' },
    archived: { id: 'd1', archived: true },
    blocked: { id: 'd1', blocked: { code: 'converted_lead', message: 'converted' } },
  };
  r.found = found[destination];
  if (state === 'left_claimed') r.claimedBy = 'r2';
  return r;
}

const plan = (mode: SyncMode, state: RecordState, destination: DestinationState, deletePolicy: 'owned' | 'matched' = 'owned') => {
  const p = classify(record(state, destination), { mode, deletePolicy, groupsEnabled: true, destinationName: 'Dest', matchKeyLabel: 'email' });
  return `${p.action}/${p.outcome}${p.code ? `:${p.code}` : ''}`;
};

// mode → record state → destination state → expected `action/outcome[:code]`
const RECORDS: Record<SyncMode, Record<RecordState, Partial<Record<DestinationState, string>>>> = {
  sync: {
    new: { absent: 'create/created', present: 'update/updated', archived: 'update/updated', blocked: 'skip/skipped:converted_lead' },
    unchanged: { present: 'none/unchanged', archived: 'update/updated', blocked: 'skip/skipped:converted_lead' },
    changed: { absent: 'create/created', present: 'update/updated' },
    pending: { present: 'update/updated' },
    left_owned: { absent: 'skip/skipped:not_found', present: 'delete/deleted', archived: 'skip/skipped:not_found' },
    left_not_owned: { present: 'groups/skipped:not_owned' },
    left_claimed: { present: 'skip/skipped:rekeyed', absent: 'skip/skipped:not_found' },
  },
  additive: {
    new: { absent: 'create/created', present: 'update/updated', archived: 'update/updated', blocked: 'skip/skipped:converted_lead' },
    unchanged: { present: 'none/unchanged' },
    changed: { absent: 'create/created', present: 'update/updated' },
    pending: { present: 'update/updated' },
    left_owned: { absent: 'skip/skipped:not_found', present: 'groups/skipped:delete_not_allowed' },
    left_not_owned: { present: 'groups/skipped:delete_not_allowed' },
    left_claimed: { present: 'skip/skipped:rekeyed' },
  },
  enrich: {
    new: { absent: 'skip/skipped:not_found', present: 'update/updated', archived: 'skip/skipped:not_found', blocked: 'skip/skipped:converted_lead' },
    unchanged: { present: 'none/unchanged', absent: 'skip/skipped:not_found' },
    changed: { absent: 'skip/skipped:not_found', present: 'update/updated' },
    pending: { present: 'update/updated' },
    left_owned: { absent: 'skip/skipped:not_found', present: 'groups/skipped:delete_not_allowed' },
    left_not_owned: { present: 'groups/skipped:delete_not_allowed' },
    left_claimed: { present: 'skip/skipped:rekeyed' },
  },
};

describe('the mode truth table (record destinations): mode × record state × destination state', () => {
  for (const [mode, byRecord] of Object.entries(RECORDS) as [SyncMode, (typeof RECORDS)[SyncMode]][]) {
    for (const [state, byDestination] of Object.entries(byRecord) as [RecordState, Partial<Record<DestinationState, string>>][]) {
      for (const [destination, expected] of Object.entries(byDestination) as [DestinationState, string][]) {
        it(`${mode} · ${state} · ${destination} → ${expected}`, () => {
          expect(plan(mode, state, destination)).toBe(expected);
        });
      }
    }
  }

  it('the delete policy widens sync deletes to matched records, and only in sync mode', () => {
    expect(plan('sync', 'left_not_owned', 'present', 'matched')).toBe('delete/deleted');
    expect(plan('additive', 'left_not_owned', 'present', 'matched')).toBe('groups/skipped:delete_not_allowed');
    expect(plan('enrich', 'left_not_owned', 'present', 'matched')).toBe('groups/skipped:delete_not_allowed');
  });

  it('no mode ever plans an operation it forbids', () => {
    const all: RecordState[] = ['new', 'unchanged', 'changed', 'pending', 'left_owned', 'left_not_owned', 'left_claimed'];
    const dests: DestinationState[] = ['absent', 'present', 'archived', 'blocked'];
    for (const state of all) {
      for (const dest of dests) {
        for (const policy of ['owned', 'matched'] as const) {
          expect(plan('enrich', state, dest, policy)).not.toMatch(/^(create|delete)\//);
          expect(plan('additive', state, dest, policy)).not.toMatch(/^delete\//);
        }
      }
    }
  });

  // Fresh reviewer 99, F2: OneSignal said "Updated 2 field(s)" for one tag written; its
  // external_id (an unwritten property: the request's path, never a tag) was counted.
  it('"Updated N field(s)" counts only the properties the destination writes', () => {
    const ctx = { mode: 'enrich' as const, deletePolicy: 'owned' as const, groupsEnabled: true, destinationName: 'Dest', matchKeyLabel: 'email' };
    expect(classify(record('new', 'present'), ctx).message).toBe('Updated 2 field(s).');
    expect(classify(record('new', 'present'), { ...ctx, unwritten: new Set(['email']) }).message).toBe('Updated 1 field(s).');
  });
});

describe('the mode truth table (audience destinations): joining is a create, leaving a delete', () => {
  type MemberState = 'new' | 'same' | 'left_group' | 'left_source' | 'left_empty' | 'identity' | 'claimed' | 'left_group_shared' | 'left_source_shared' | 'left_source_shared_one';
  const member = (state: MemberState) => {
    const stored = state === 'new' ? undefined : entry({ snapshot: { properties: props, groups: state === 'left_empty' ? [] : ['A', 'B'] } });
    const next = state.startsWith('left_s') || state === 'left_empty' || state === 'claimed' ? null : { properties: state === 'identity' ? { ...props, email: 'b@example.com' } : props, groups: state.startsWith('left_group') ? ['A'] : ['A', 'B'] };
    const r = ledgerRecord({ ref: 1, recordId: 'r1', row: 1, next, entry: stored, matchKey: 'a@example.com', previousMatchKey: undefined });
    if (state === 'claimed') r.claimedBy = 'r2';
    // Another current record shares an identifier (a phone) and is in B (or in A and B).
    if (state.endsWith('shared') || state.endsWith('shared_one')) {
      r.sharedWith = ['r3'];
      r.sharedGroups = state === 'left_source_shared' ? ['A', 'B'] : ['B'];
    }
    return r;
  };
  const cases: [string, MemberState, string, string][] = [
    ['a new person', 'new', 'create/created +A,B', 'create/created +A,B'],
    ['no change', 'same', 'none/unchanged', 'none/unchanged'],
    ['left one audience', 'left_group', 'update/updated -B', 'skip/skipped:delete_not_allowed'],
    ['left the source', 'left_source', 'delete/deleted -A,B', 'skip/skipped:delete_not_allowed'],
    ['left the source, in no audience', 'left_empty', 'skip/skipped:not_found', 'skip/skipped:not_found'],
    ['identifiers changed', 'identity', 'update/updated +A,B -A,B', 'update/updated +A,B'],
    ['left, same identity still in the source', 'claimed', 'skip/skipped:rekeyed', 'skip/skipped:rekeyed'],
    ['left one audience a sharer of an identifier is in', 'left_group_shared', 'skip/skipped:identity_shared', 'skip/skipped:delete_not_allowed'],
    ['left the source, a sharer in both audiences', 'left_source_shared', 'skip/skipped:identity_shared', 'skip/skipped:delete_not_allowed'],
    ['left the source, a sharer in one audience', 'left_source_shared_one', 'update/skipped:identity_shared -A', 'skip/skipped:delete_not_allowed'],
  ];
  for (const [what, state, sync, additive] of cases) {
    for (const [mode, expected] of [['sync', sync], ['additive', additive]] as const) {
      it(`${mode} · ${what} → ${expected}`, () => {
        const p = planMembership(member(state), mode, 'Audiences');
        const joins = p.addGroups.length > 0 ? ` +${p.addGroups.join(',')}` : '';
        const leaves = p.removeGroups.length > 0 ? ` -${p.removeGroups.join(',')}` : '';
        expect(`${p.action}/${p.outcome}${p.code ? `:${p.code}` : ''}${joins}${leaves}`).toBe(expected);
      });
    }
  }
});
