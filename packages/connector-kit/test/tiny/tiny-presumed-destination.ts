import { NotFoundError, SyncError, defineDestination, type ItemResult, type WriteItem } from '../../src/index';
import { tinyDestination } from './tiny-destination';
import { TINY_TOKEN } from './tiny-emulator';

type Results = { results: ({ id: string } | { error: { code: string; message: string } })[] };

async function send(baseUrl: string, method: string, records: unknown[]): Promise<ItemResult[]> {
  const response = await fetch(`${baseUrl}/records`, {
    method,
    headers: { authorization: `Bearer ${TINY_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ records }),
  });
  if (!response.ok) throw new SyncError('http_error', `HTTP ${response.status}`);
  const { results } = (await response.json()) as Results;
  return results.map((x): ItemResult => {
    if ('id' in x) return { ok: true, id: x.id };
    if (x.error.code === 'not_found') return { ok: false, error: new NotFoundError(x.error.message) };
    return { ok: false, error: new SyncError(x.error.code, x.error.message) };
  });
}

/** Fields of a write: properties (minus the key) plus one `group:<name>` field per membership change. */
function fieldsOf(item: WriteItem): Record<string, unknown> {
  const { email: _email, ...fields } = item.properties;
  const out: Record<string, unknown> = { ...fields };
  for (const name of item.groups?.add ?? []) out[`group:${name}`] = '1';
  for (const name of item.groups?.remove ?? []) out[`group:${name}`] = null;
  return out;
}

/**
 * The tiny destination without lookups, with membership kept in the record: `find`
 * presumes every record exists and the update (addressed by key) confirms it, answering
 * `not_found` for a missing one; groups are `group:<name>` fields written with the
 * properties. Tests the kit's write-time lookup (`FoundRecord.presumed`, `NotFoundError`)
 * and `groupMembership: 'record'`.
 */
export const tinyPresumedDestination = defineDestination({
  ...tinyDestination,
  id: 'tiny-presumed',
  displayName: 'Tiny presumed',
  syncModes: ['additive', 'enrich'],
  groupMembership: 'record',
  verbs: {
    async find(_ctx, requests) {
      return new Map(requests.map((r) => [r.ref, [{ id: r.matchKey, presumed: true }]]));
    },
    create: (ctx, items) => send(ctx.config.baseUrl, 'POST', items.map((i) => ({ key: String(i.properties.email), fields: fieldsOf(i) }))),
    update: (ctx, items) => send(ctx.config.baseUrl, 'PATCH', items.map((i) => ({ key: i.destinationId, fields: fieldsOf(i) }))),
  },
});
