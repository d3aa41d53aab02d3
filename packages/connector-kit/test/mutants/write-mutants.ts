import { SyncError, type ItemResult } from '../../src/index';
import { tinyCall, tinyDestination, toItems, type TinyResults } from '../tiny/tiny-destination';
import { TINY_MAX_BATCH } from '../tiny/tiny-emulator';
import { mutate, type Mutant } from './mutant';

const real = tinyDestination.verbs;
type Update = typeof real.update;

/** The real update with each item's answer from the API passed through `wrong`. */
function updateAnswering(wrong: (answer: TinyResults['results'][number], id: string) => ItemResult | undefined): Update {
  return async (ctx, items) => {
    const records = items.map((i) => {
      const { email, ...fields } = i.properties;
      return { id: i.destinationId, ...(email ? { key: String(email) } : {}), fields };
    });
    const { results } = (await tinyCall(ctx.config, 'PATCH', '/records', { records })) as TinyResults;
    const items2 = toItems({ results });
    return results.map((x, i) => wrong(x, items[i]?.destinationId ?? '') ?? (items2[i] as ItemResult));
  };
}

const notFound = (x: TinyResults['results'][number]) => 'error' in x && x.error.code === 'not_found';

/** The tiny destination's fields besides its key. */
const FIELDS = ['name', 'city'] as const;

/** Which key each destination id was created or found under (what a connector deleting by key would use). */
const keyOfId = new Map<string, string>();

/** The tiny destination that deletes by key: every destination record holding a departed record's key goes (plugin trial 152). */
const deletingByKey = mutate({
  verbs: {
    find: async (ctx, requests) => {
      const found = await real.find(ctx, requests);
      for (const r of requests) for (const f of found.get(r.ref) ?? []) keyOfId.set(f.id, r.matchKey);
      return found;
    },
    create: async (ctx, items) => {
      const results = await real.create(ctx, items);
      results.forEach((r, i) => r.ok && r.id !== undefined && keyOfId.set(r.id, String(items[i]?.properties.email).toLowerCase()));
      return results;
    },
    delete: async (ctx, items) => {
      const requests = items.map((item, ref) => ({ ref, recordId: item.recordId, matchKey: keyOfId.get(item.destinationId) ?? '' }));
      const found = await real.find(ctx, requests as never);
      const ids = items.map((item, ref) => [item.destinationId, ...(found.get(ref) ?? []).map((f) => f.id)]);
      await (real.delete as NonNullable<typeof real.delete>)(ctx, [...new Set(ids.flat())].map((destinationId, ref) => ({ ref, recordId: '', destinationId })));
      return items.map((item) => ({ ok: true, id: item.destinationId }));
    },
  },
});

/** Mutants in creates, updates and deletes. */
export const WRITE_MUTANTS: readonly Mutant[] = [
  {
    name: 'update-404-as-success',
    breaks: 'an update of a record that no longer exists (404 / not_found) is reported as a success: the run says "updated", the record is gone',
    caughtBy: { check: 'deleted-at-write-time' },
    destination: mutate({ verbs: { update: updateAnswering((x, id) => (notFound(x) ? { ok: true, id } : undefined)) } }),
  },
  {
    name: 'update-404-as-failure',
    breaks: 'an update of a record that no longer exists fails with a plain SyncError instead of a NotFoundError: the kit cannot plan it again (sync and additive never create it, enrich reports a failure)',
    caughtBy: { check: 'deleted-at-write-time' },
    destination: mutate({ verbs: { update: updateAnswering((x) => (notFound(x) ? { ok: false, error: new SyncError('not_found', 'no such record') } : undefined)) } }),
  },
  {
    name: 'create-ids-reversed',
    breaks: 'a create returns the new ids in the wrong order: each record is tracked under another record’s id',
    caughtBy: { check: 'creates', modes: ['sync', 'additive'] },
    destination: mutate({ verbs: { create: async (ctx, items) => (await real.create(ctx, items)).reverse() } }),
  },
  {
    name: 'batch-result-missing-one',
    breaks: 'a batch answer misses one record’s result (the last one of a batch of several)',
    caughtBy: { check: 'creates', modes: ['sync', 'additive'] },
    destination: mutate({ verbs: { create: async (ctx, items) => (await real.create(ctx, items)).slice(0, items.length > 1 ? -1 : undefined) } }),
  },
  {
    name: 'update-drops-field',
    breaks: 'an update never sends the `name` field (only a create does): a changed name never reaches the destination',
    caughtBy: { check: 'update-every-property' },
    destination: mutate({
      verbs: { update: (ctx, items) => real.update(ctx, items.map((i) => ({ ...i, properties: Object.fromEntries(Object.entries(i.properties).filter(([k]) => k !== 'name')) }))) },
    }),
  },
  {
    name: 'update-replaces-record',
    breaks: 'an update replaces the whole record (PUT): the fields it does not send are emptied, so a run that sends only what changed loses the rest',
    caughtBy: { check: 'clears' },
    destination: mutate({
      verbs: { update: (ctx, items) => real.update(ctx, items.map((i) => ({ ...i, properties: { ...Object.fromEntries(FIELDS.map((f) => [f, null])), ...i.properties } }))) },
    }),
  },
  {
    name: 'delete-by-key',
    breaks: 'a delete removes every destination record holding the departed record’s key, not the record by its id: a record a person made with that key goes too',
    caughtBy: { check: 'deletes-beside-duplicate', modes: ['sync'] },
    destination: deletingByKey,
    emulator: { uniqueKeys: false },
  },
  {
    name: 'clear-by-omitting',
    breaks: 'a property emptied in the source is left out of the update instead of being sent as null: the destination keeps the old value',
    caughtBy: { check: 'clears' },
    destination: mutate({
      verbs: { update: (ctx, items) => real.update(ctx, items.map((i) => ({ ...i, properties: Object.fromEntries(Object.entries(i.properties).filter(([, v]) => v !== null)) }))) },
    }),
  },
  {
    name: 'item-errors-as-success',
    breaks: 'per-item errors of a batch answer are ignored (allOrNone-style): a record the API rejected is reported written',
    caughtBy: { check: 'bad-record-alone' },
    destination: mutate({
      verbs: {
        create: async (ctx, items) => (await real.create(ctx, items)).map((r) => (r.ok ? r : { ok: true })),
        update: async (ctx, items) => (await real.update(ctx, items)).map((r, i) => (r.ok ? r : { ok: true, id: items[i]?.destinationId })),
      },
    }),
  },
  {
    name: 'batch-limit-ignored',
    breaks: `the destination declares batches of ${2 * TINY_MAX_BATCH} where the API takes ${TINY_MAX_BATCH}: every full batch is refused first and split`,
    caughtBy: { check: 'batch-limit' },
    destination: mutate({ definition: { limits: { ...(tinyDestination.limits as object), writeBatchSize: 2 * TINY_MAX_BATCH } as typeof tinyDestination.limits } }),
  },
  {
    name: 'delete-neighbour-id',
    breaks: 'a delete addresses the id before the record’s own (off by one): another record is deleted and the departed one stays',
    caughtBy: { check: 'deletes', modes: ['sync'] },
    destination: mutate({
      verbs: { delete: (ctx, items) => (real.delete as NonNullable<typeof real.delete>)(ctx, items.map((i) => ({ ...i, destinationId: `r${Number(i.destinationId.slice(1)) - 1}` }))) },
    }),
  },
  {
    name: 'undeclared-code',
    breaks: 'a rejected record is reported with a code the destination never declared (value_too_long), so users get no meaning or action for it',
    caughtBy: { check: 'bad-record-alone' },
    destination: mutate({
      verbs: {
        create: async (ctx, items) => (await real.create(ctx, items)).map((r) => (r.ok || r.error.code !== 'too_long' ? r : { ok: false, error: new SyncError('value_too_long', r.error.message) })),
        update: async (ctx, items) => (await real.update(ctx, items)).map((r) => (r.ok || r.error.code !== 'too_long' ? r : { ok: false, error: new SyncError('value_too_long', r.error.message) })),
      },
    }),
  },
];
