import { NotFoundError, SyncError, defineDestination, type ItemResult } from '../../src/index';
import { tinyDestination } from './tiny-destination';

/**
 * The tiny destination without lookups: `find` presumes every record exists and the
 * update (addressed by key) confirms it, answering `not_found` for a missing one. Tests
 * the kit's write-time lookup (`FoundRecord.presumed`, `NotFoundError`).
 */
export const tinyPresumedDestination = defineDestination({
  ...tinyDestination,
  id: 'tiny-presumed',
  displayName: 'Tiny presumed',
  verbs: {
    ...tinyDestination.verbs,
    groups: undefined,
    async find(_ctx, requests) {
      return new Map(requests.map((r) => [r.ref, { id: r.matchKey, presumed: true }]));
    },
    async update(ctx, items) {
      const response = await fetch(`${ctx.config.baseUrl}/records`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ctx.config.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          records: items.map((i) => {
            const { email: _email, ...fields } = i.properties;
            return { key: i.destinationId, fields };
          }),
        }),
      });
      if (!response.ok) throw new SyncError('http_error', `HTTP ${response.status}`);
      const { results } = (await response.json()) as { results: ({ id: string } | { error: { code: string; message: string } })[] };
      return results.map((x): ItemResult => {
        if ('id' in x) return { ok: true, id: x.id };
        if (x.error.code === 'not_found') return { ok: false, error: new NotFoundError(x.error.message) };
        return { ok: false, error: new SyncError(x.error.code, x.error.message) };
      });
    },
  },
});
