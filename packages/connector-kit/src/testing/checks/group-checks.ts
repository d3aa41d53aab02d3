import { expect } from 'vitest';
import type { z } from 'zod';
import type { CheckContext } from '../check-context';
import { outcomes } from '../check-context';
import type { ConformanceRecord, ConformanceHarness } from '../harness';
import type { CheckSpec } from './check-spec';

const hasGroups = (harness: ConformanceHarness<z.ZodType>) => harness.groups;

/** The groups record `r` is in, read from the emulator's data (sorted). */
async function groupsOf<Schema extends z.ZodType>(t: CheckContext<Schema>, r: ConformanceRecord): Promise<string[]> {
  return [...((await t.byKey()).get(t.keyOf(r))?.groups ?? [])].sort();
}

/** Membership of one record follows the source; groups the sync does not manage are left alone. */
export const groupsCheck: CheckSpec = {
  id: 'groups',
  title: () => 'keeps managed group membership in step with the source and never touches other groups',
  applies: hasGroups,
  async body(t) {
    const { harness, ops } = t;
    const record = harness.record(1, ['alpha', 'beta']);
    const bystander = harness.record(2, ['foreign']);
    await t.target.seed(ops.create ? [bystander] : [harness.record(1, ['foreign']), bystander]);
    await t.run([record]);
    expect(await groupsOf(t, record)).toEqual(ops.create ? ['alpha', 'beta'] : ['alpha', 'beta', 'foreign']);
    const summary = await t.run([harness.record(1, ['beta'])]);
    expect(outcomes(summary)[record.id]).toBe('updated');
    expect(await groupsOf(t, record)).toEqual(ops.create ? ['beta'] : ['beta', 'foreign']);
    expect(await groupsOf(t, bystander)).toEqual(['foreign']);
  },
};

/** Every membership a run reports is in the destination, for every record of a group call. */
export const everyMemberCheck: CheckSpec = {
  id: 'group-every-member',
  title: () => 'puts every record of a group change in the group, and takes every leaver out',
  applies: hasGroups,
  async body(t) {
    const { harness } = t;
    const first: Record<number, string[]> = { 1: ['alpha', 'beta'], 2: ['alpha'], 3: ['alpha', 'beta'], 4: ['beta'] };
    const second: Record<number, string[]> = { 1: ['beta'], 2: ['alpha', 'beta'], 3: [], 4: ['alpha'] };
    const ids = [1, 2, 3, 4];
    if (!t.ops.create) await t.target.seed(ids.map((i) => harness.record(i)));
    for (const groups of [first, second]) {
      const records = ids.map((i) => harness.record(i, groups[i]));
      const summary = await t.run(records);
      expect(summary.counts.failed).toBe(0);
      for (const r of records) expect(await groupsOf(t, r), `${r.id}'s groups`).toEqual([...r.snapshot.groups].sort());
    }
  },
};
