import { expect } from 'vitest';
import { outcomes } from '../check-context';
import type { ConformanceRecord } from '../harness';
import { withClearable, type CheckSpec } from './check-spec';

/** Creates (or, in enrich, never creates), each record under its own key with its own id. */
export const createsCheck: CheckSpec = {
  id: 'creates',
  title: (ops) => (ops.create ? 'creates records that do not exist, each under its own key with its own id' : 'never creates: unmatched records are skipped as not_found'),
  async body(t) {
    const records = [1, 2, 3].map((i) => t.harness.record(i));
    const summary = await t.run(records);
    if (t.ops.create) {
      expect(summary.counts.created).toBe(3);
      await t.expectHolds(records);
      await t.expectIds(summary, records);
      expect((await t.writes('create')).length).toBeGreaterThan(0);
    } else {
      expect(Object.values(outcomes(summary))).toEqual(['skipped:not_found', 'skipped:not_found', 'skipped:not_found']);
      expect((await t.byKey()).size).toBe(0);
      expect(await t.writes()).toEqual([]);
    }
  },
};

/** Updates existing records in place with only what changed. */
export const updatesCheck: CheckSpec = {
  id: 'updates',
  title: () => 'updates records that already exist, sending only what changed',
  async body(t) {
    const originals = [t.harness.record(1), t.harness.record(2)];
    await t.target.seed(originals);
    const changed = originals.map((r) => t.harness.withProperties(r, { [t.harness.clearableProperty]: `new-${r.id}` }));
    const summary = await t.run(changed);
    expect(summary.counts.updated).toBe(2);
    expect(summary.counts.created).toBe(0);
    await t.expectHolds(changed);
    await t.expectIds(summary, changed);
    expect(await t.writes('create')).toEqual([]);
    expect(await t.writes('delete')).toEqual([]);
  },
};

/** An update that changes every property writes every one of them. */
export const updateEveryPropertyCheck: CheckSpec = {
  id: 'update-every-property',
  title: () => 'writes every property an update changes (none dropped)',
  async body(t) {
    const { harness } = t;
    const [original, bystander] = [harness.record(1), harness.record(2)];
    await t.target.seed([original, bystander]);
    // Record 1's key with every other property of record 3.
    const other = harness.record(3);
    const changed: ConformanceRecord = {
      id: original.id,
      snapshot: { ...other.snapshot, properties: { ...other.snapshot.properties, [harness.keyProperty]: original.snapshot.properties[harness.keyProperty] ?? null } },
    };
    const summary = await t.run([changed, bystander]);
    expect(outcomes(summary)[original.id]).toBe('updated');
    await t.expectHolds([changed, bystander]);
  },
};

/** Sync deletes exactly the owned records that left; other modes delete nothing. */
export const deletesCheck: CheckSpec = {
  id: 'deletes',
  title: (ops) => (ops.delete ? 'deletes only records this sync created when they leave the source, and only those' : 'never deletes: records that leave the source are kept (delete_not_allowed)'),
  async body(t) {
    const [foreign, staying] = [t.harness.record(10), t.harness.record(11)];
    await t.target.seed([foreign, staying]);
    const mine = [12, 13, 14].map((i) => t.harness.record(i));
    await t.run([...mine, foreign, staying]);
    const before = await t.byKey();
    await t.target.admin.clearRequests();

    const summary = await t.run([mine[2] as ConformanceRecord, staying]);
    const after = await t.byKey();
    const o = outcomes(summary);
    for (const r of [foreign, staying]) expect(after.has(t.keyOf(r)), `${r.id} kept`).toBe(true);
    if (t.ops.delete) {
      expect([o[mine[0]?.id ?? ''], o[mine[1]?.id ?? ''], o[foreign.id]]).toEqual(['deleted', 'deleted', 'skipped:not_owned']);
      expect([...after.keys()].sort()).toEqual([foreign, staying, mine[2] as ConformanceRecord].map((r) => t.keyOf(r)).sort());
      await t.expectHolds([foreign, staying, mine[2] as ConformanceRecord]);
      const deleted = (await t.writes('delete')).reduce((n, e) => n + t.harness.recordsIn(e), 0);
      expect(deleted).toBe(2);
    } else {
      expect(o[foreign.id]).toBe('skipped:delete_not_allowed');
      expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
      expect(await t.writes('delete')).toEqual([]);
    }
  },
};

/**
 * Two syncs sharing one state store (`syncName`s "first" and "second"): a record "first" wrote
 * and "second" also has in its source is never deleted when it leaves "first"'s source
 * (`tracked_elsewhere`); one only "first" has is (#17, trial 19a F5).
 */
export const sharedRecordCheck: CheckSpec = {
  id: 'deletes-shared',
  title: (ops) => (ops.delete ? 'never deletes a record another sync sharing the state has in its source (tracked_elsewhere)' : 'keeps a record another sync sharing the state has in its source'),
  async body(t) {
    const [shared, onlyFirst, staying] = [20, 21, 22].map((i) => t.harness.record(i)) as [ConformanceRecord, ConformanceRecord, ConformanceRecord];
    if (!t.ops.create) await t.target.seed([shared, onlyFirst, staying]);
    await t.run([shared, onlyFirst, staying], { syncName: 'first' });
    await t.run([shared], { syncName: 'second' });
    await t.target.admin.clearRequests();

    const o = outcomes(await t.run([staying], { syncName: 'first' }));
    const after = await t.byKey();
    expect(after.has(t.keyOf(shared)), 'the shared record is kept').toBe(true);
    if (t.ops.delete) {
      expect([o[shared.id], o[onlyFirst.id]]).toEqual(['skipped:tracked_elsewhere', 'deleted']);
      expect(after.has(t.keyOf(onlyFirst)), 'the record only "first" had is deleted').toBe(false);
      expect((await t.writes('delete')).reduce((n, e) => n + t.harness.recordsIn(e), 0)).toBe(1);
    } else {
      expect([o[shared.id], o[onlyFirst.id]]).toEqual(['skipped:delete_not_allowed', 'skipped:delete_not_allowed']);
      expect(await t.writes('delete')).toEqual([]);
    }
    // "second" still holds it, unchanged.
    expect(outcomes(await t.run([shared], { syncName: 'second' }))[shared.id]).toBe('unchanged');
  },
};

/** A rerun with the same input sends no request at all. */
export const rerunCheck: CheckSpec = {
  id: 'rerun-sends-nothing',
  title: () => 'sends zero writes when rerun with unchanged input',
  async body(t) {
    const records = [1, 2, 3].map((i) => t.harness.record(i));
    if (!t.ops.create) await t.target.seed([1, 2, 3].map((i) => withClearable(t, i, 'old')));
    await t.run(records);
    await t.target.admin.clearRequests();
    const second = await t.run(records);
    expect(second.counts.unchanged).toBe(3);
    expect(await t.requests()).toEqual([]);
  },
};

/** A property emptied in the source is cleared in the destination. */
export const clearsCheck: CheckSpec = {
  id: 'clears',
  title: () => 'clears a property emptied in the source',
  async body(t) {
    const record = t.harness.record(1);
    if (!t.ops.create) await t.target.seed([withClearable(t, 1, 'old')]);
    await t.run([record]);
    expect((await t.byKey()).get(t.keyOf(record))?.properties[t.harness.clearableProperty]).not.toBeNull();
    const cleared = withClearable(t, 1, null);
    const summary = await t.run([cleared]);
    expect(outcomes(summary)[record.id]).toBe('updated');
    expect((await t.byKey()).get(t.keyOf(record))?.properties[t.harness.clearableProperty] ?? null).toBeNull();
    // The update sent only the cleared property: every other one is kept (an update that replaces the whole record loses them; plugin trial 152).
    await t.expectHolds([cleared]);
  },
};

/**
 * Deleting a record that left the source in sync mode removes that record, never another
 * destination record a person made with the same key (a delete by key instead of by id
 * removes both: plugin trial 152). Other modes keep both.
 */
export const deleteBesideDuplicateCheck: CheckSpec = {
  id: 'deletes-beside-duplicate',
  title: (ops) => (ops.delete ? 'deleting a record that left never deletes another destination record holding its key' : 'keeps a record that left and another destination record holding its key'),
  applies: (harness) => harness.duplicateKeys !== false,
  async body(t) {
    const [leaving, staying] = [t.harness.record(30), t.harness.record(31)];
    if (!t.ops.create) await t.target.seed([leaving, staying]);
    await t.run([leaving, staying]);
    await t.target.seed([withClearable(t, 30, 'made-by-hand')]);
    expect((await t.holding(leaving)).length, 'the emulator holds both records with one key').toBe(2);
    await t.target.admin.clearRequests();
    await t.run([staying]);
    const held = await t.holding(leaving);
    expect(held.map((v) => v.properties[t.harness.clearableProperty]), 'the record made by hand').toContain('made-by-hand');
    expect((await t.writes('delete')).reduce((n, e) => n + t.harness.recordsIn(e), 0), 'records deleted').toBeLessThanOrEqual(t.ops.delete ? 1 : 0);
    await t.expectHolds([staying]);
  },
};

/** A record whose match key changed is updated in place (where an update can change the key). */
export const keyChangeCheck: CheckSpec = {
  id: 'key-change',
  title: () => "updates in place when a record's match key changes",
  applies: (harness) => harness.matchKeyChangeable !== false,
  async body(t) {
    const original = t.harness.record(1);
    if (!t.ops.create) await t.target.seed([original]);
    await t.run([original]);
    await t.target.admin.clearRequests();
    const moved = t.harness.withProperties(original, { [t.harness.keyProperty]: t.harness.changedKey(1) });
    const summary = await t.run([moved]);
    expect(outcomes(summary)[original.id]).toBe('updated');
    const data = await t.byKey();
    expect(data.has(t.keyOf(original))).toBe(false);
    expect(data.size).toBe(1);
    await t.expectHolds([moved]);
    expect(await t.writes('create')).toEqual([]);
  },
};
