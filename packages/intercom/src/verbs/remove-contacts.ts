import { SyncError, type ItemResult, type TargetItem } from '@syncmodes/connector-kit';
import { eachItem, failedItem } from './item-results';
import type { IntercomContext } from './verb-context';

/**
 * Removes contacts that left the source, in sync mode only (the kit decides): archives
 * them (`POST /contacts/{id}/archive`, reversible; the default) or deletes them
 * (`DELETE /contacts/{id}`, permanent: Intercom never lets that user be created again),
 * as the `removal` option says. A contact already gone counts as removed.
 * https://developers.intercom.com/docs/references/rest-api/api.intercom.io/contacts/archivecontact
 */
export function removeContacts(ctx: IntercomContext, items: readonly TargetItem[]): Promise<ItemResult[]> {
  const { api } = ctx.client;
  return eachItem(items, async (item) => {
    try {
      if (ctx.config.removal === 'delete') await api.deleteContact(ctx, item.destinationId);
      else await api.archiveContact(ctx, item.destinationId);
      return { ok: true };
    } catch (thrown) {
      if (thrown instanceof SyncError && thrown.status === 404) return { ok: true };
      return failedItem(thrown);
    }
  });
}
