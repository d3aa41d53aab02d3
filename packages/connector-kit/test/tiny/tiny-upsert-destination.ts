import { SyncError, defineDestination, type ItemResult } from '../../src/index';
import { findAllPages, tinyCall, tinyDestination, tinyVerbs, toItems, type TinyResults } from './tiny-destination';

const verbs = tinyVerbs(tinyCall);

/**
 * The tiny destination whose `create` upserts by key (as Salesforce does with an
 * external-id match field): one record with the key is updated (`existing: true`),
 * several fail the item with `ambiguous_match`, none is created. It declares
 * `createUpserts`, so the kit skips the lookup for records it has no state for.
 */
export const tinyUpsertDestination = defineDestination({
  ...tinyDestination,
  id: 'tiny-upsert',
  displayName: 'Tiny upsert',
  createUpserts: () => true,
  verbs: {
    ...verbs,
    async create(ctx, items) {
      const hits = await findAllPages(tinyCall, ctx.config, items.map((i) => String(i.properties.email).toLowerCase()));
      const results: ItemResult[] = new Array(items.length);
      const creates: number[] = [];
      const updates: number[] = [];
      items.forEach((item, i) => {
        const ids = hits.filter((h) => h.key === String(item.properties.email).toLowerCase()).map((h) => h.id);
        if (ids.length > 1) results[i] = { ok: false, error: new SyncError('ambiguous_match', `Several records have this key (${ids.join(', ')}); nothing was written.`) };
        else if (ids.length === 1) updates.push(i);
        else creates.push(i);
      });
      if (updates.length > 0) {
        const records = updates.map((i) => {
          const { email: _email, ...fields } = items[i]?.properties ?? {};
          return { id: hits.find((h) => h.key === String(items[i]?.properties.email).toLowerCase())?.id, fields };
        });
        const answered = toItems((await tinyCall(ctx.config, 'PATCH', '/records', { records })) as TinyResults);
        answered.forEach((r, j) => (results[updates[j] as number] = r.ok ? { ...r, existing: true } : r));
      }
      if (creates.length > 0) {
        const answered = await verbs.create(ctx, creates.map((i) => items[i] as (typeof items)[number]));
        answered.forEach((r, j) => (results[creates[j] as number] = r));
      }
      return results;
    },
  },
});
