import { expect } from 'vitest';
import type { DestinationDefinition } from '../../destination/define-destination';
import type { RecordVerbs } from '../../destination/verbs';
import { outcomes } from '../check-context';
import type { ConformanceRecord } from '../harness';
import { withClearable, type CheckSpec } from './check-spec';

/** One lookup batch with records found and not found: each is matched to its own destination record. */
export const foundAndNotFoundCheck: CheckSpec = {
  id: 'found-and-not-found',
  title: (ops) => `matches each record of a lookup batch to its own destination record, found and not found mixed (${ops.create ? 'creates' : 'skips'} the others)`,
  async body(t) {
    const records = [1, 2, 3, 4, 5].map((i) => t.harness.record(i));
    const present = [records[1], records[3]] as ConformanceRecord[];
    await t.target.seed([2, 4].map((i) => withClearable(t, i, 'old')));
    const summary = await t.run(records);
    const o = outcomes(summary);
    for (const r of records) expect(o[r.id], r.id).toBe(present.includes(r) ? 'updated' : t.ops.create ? 'created' : 'skipped:not_found');
    const written = t.ops.create ? records : present;
    await t.expectHolds(written);
    await t.expectIds(summary, written);
    expect((await t.target.read()).length).toBe(written.length);
  },
};

/** A key held by several destination records fails alone with ambiguous_match; none of them is written. */
export const ambiguousCheck: CheckSpec = {
  id: 'ambiguous-match',
  title: () => 'fails a record whose key several destination records hold (ambiguous_match) and writes to none of them',
  applies: (harness) => harness.duplicateKeys !== false,
  async body(t) {
    const [twin, single] = [t.harness.record(1), t.harness.record(2)];
    const seeded = [withClearable(t, 1, 'twin-a'), withClearable(t, 1, 'twin-b'), withClearable(t, 2, 'old')];
    await t.target.seed(seeded);
    const twins = await t.holding(twin);
    expect(twins.length, 'the emulator holds both records with one key').toBe(2);
    const summary = await t.run([twin, single]);
    const result = summary.results.find((r) => r.id === twin.id);
    expect(`${result?.outcome}:${result?.code}`).toBe('failed:ambiguous_match');
    for (const v of twins) if (v.id !== undefined) expect(result?.message, 'the message names every match').toContain(v.id);
    expect(outcomes(summary)[single.id]).toBe('updated');
    expect((await t.holding(twin)).map((v) => v.properties[t.harness.clearableProperty]).sort()).toEqual(['twin-a', 'twin-b']);
    await t.expectHolds([single]);
    expect(await t.writes('create')).toEqual([]);
    expect(await t.writes('delete')).toEqual([]);
    expect((await t.writes('update')).reduce((n, e) => n + t.harness.recordsIn(e), 0), 'records updated').toBe(1);
  },
};

/** The destination with `onFirstFind` called once, after the first lookup answered. */
function afterFirstLookup<D extends DestinationDefinition<never, unknown>>(destination: D, onFirstFind: () => Promise<void>): D {
  let done = false;
  const verbs = destination.verbs as RecordVerbs<unknown, unknown>;
  const find: RecordVerbs<unknown, unknown>['find'] = async (ctx, requests) => {
    const found = await verbs.find(ctx, requests);
    if (!done) {
      done = true;
      await onFirstFind();
    }
    return found;
  };
  return { ...destination, verbs: { ...verbs, find } };
}

/**
 * A record deleted between the lookup and the write is never reported updated: the
 * connector answers the update with a `NotFoundError`, so the kit plans the record again as
 * not found — enrich skips it; sync and additive create it again (or, where the vendor
 * refuses that, e.g. one that never reuses a deleted user's identifier, fail it with the
 * vendor's code, holding nothing). `failed:not_found` means the connector reported the
 * vanished record as a plain failure instead.
 */
export const deletedAtWriteCheck: CheckSpec = {
  id: 'deleted-at-write-time',
  title: (ops) =>
    `never reports a record deleted between its lookup and its update as updated (${ops.create ? 'creates it again' : 'skips it as not_found'})`,
  applies: (harness) => harness.remove !== undefined,
  async body(t) {
    const [gone, kept] = [t.harness.record(1), t.harness.record(2)];
    await t.target.seed([withClearable(t, 1, 'old'), withClearable(t, 2, 'old')]);
    const remove = () => (t.harness.remove as NonNullable<typeof t.harness.remove>)(t.target, [gone]);
    const destination = afterFirstLookup(t.harness.destination as DestinationDefinition<never, unknown>, remove);
    const summary = await t.run([gone, kept], { destination });
    const o = outcomes(summary);
    expect(o[kept.id]).toBe('updated');
    await t.expectHolds([kept]);
    if (!t.ops.create) {
      expect(o[gone.id], 'planned again as not found').toBe('skipped:not_found');
      expect(await t.holding(gone)).toEqual([]);
    } else if (o[gone.id] === 'created') {
      await t.expectHolds([gone]);
      await t.expectIds(summary, [gone]);
    } else {
      expect(o[gone.id], 'planned again as not found, then created (or refused by the vendor)').toMatch(/^failed:(?!not_found$)/);
      expect(await t.holding(gone)).toEqual([]);
    }
  },
};

/** A key written differently but equal as the API compares keys finds the existing record. */
export const keyCaseCheck: CheckSpec = {
  id: 'key-as-the-api-compares',
  title: () => 'matches keys the way the API compares them (a differently written key updates the existing record)',
  applies: (harness) => harness.keyVariant !== undefined,
  async body(t) {
    const original = t.harness.record(1);
    await t.target.seed([withClearable(t, 1, 'old')]);
    const variant = t.harness.withProperties(original, { [t.harness.keyProperty]: t.harness.keyVariant?.(1) ?? null });
    const summary = await t.run([variant]);
    expect(outcomes(summary)[original.id]).toBe('updated');
    const held = await t.holding(original);
    expect(held.length, 'records holding the key').toBe(1);
    expect(held[0]?.properties[t.harness.clearableProperty]).toBe(original.snapshot.properties[t.harness.clearableProperty]);
    expect(await t.writes('create')).toEqual([]);
  },
};
