import type { AnyDestination } from '../../destination/any-destination';
import type { SyncListing } from '../../state/state-store';
import type { BaseRunContext } from '../run/run-context';
import { writeTargetKey } from '../run/write-target';

const runs = new WeakMap<BaseRunContext['source'], Promise<SyncListing[]>>();

/**
 * The other syncs sharing this state store that write to the same account: the same
 * destination and the same records (`writeTargetKey` of their identity settings: the same
 * org and object whatever the match field or the URL's trailing slash), another sync id. Read
 * once per run (`StateStore.listSyncs`), and only when a step asks: a group name (an
 * audience, a campaign, a tag) means the same group for all of them.
 */
export function sameAccountSyncs(ctx: Pick<BaseRunContext, 'state' | 'syncId' | 'source'> & { readonly destination: AnyDestination }): Promise<SyncListing[]> {
  let others = runs.get(ctx.source);
  if (!others) {
    others = ctx.state.listSyncs().then((syncs) => {
      const self = syncs.find((s) => s.syncId === ctx.syncId);
      if (!self) return [];
      const target = writeTargetKey(ctx.destination, self.identity);
      return syncs.filter((s) => s.syncId !== self.syncId && s.destination === self.destination && writeTargetKey(ctx.destination, s.identity) === target);
    });
    // A failed read is not kept: the next step to ask reads again.
    others.catch(() => runs.delete(ctx.source));
    runs.set(ctx.source, others);
  }
  return others;
}
