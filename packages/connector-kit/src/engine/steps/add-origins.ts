import type { GroupRef, ItemResult, TargetItem } from '../../destination/verbs';
import { isNothingSent } from '../../errors/nothing-sent';
import { toSyncError } from '../../errors/to-sync-error';
import { foundOf } from '../ledger/found-groups';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordRunContext } from '../run/run-context';
import { ownedElsewhere } from './memberships-elsewhere';

/**
 * Whose a membership is that a group add found already made ("already a member"): `own`
 * (this sync's: removed when the row leaves the group), `found` (someone else's, as far as the
 * sync can tell: never removed, see `StateSnapshot.found`), `others` (the destination proved
 * another user made it: `ItemResult.madeByOther`), or `none` (the add made it, or failed).
 */
export type AddOrigin = 'none' | 'own' | 'found' | 'others';

/**
 * A group verb wrapped to count how often each item was sent. An "already a member" answer to
 * a resend (the first answer lost, a 5xx, a timeout) may be this run's own add landing twice,
 * so only a first send's answer says the membership was someone else's. A call that failed
 * before it reached the destination's write (`sentNothing`) sent nothing. `refusedEverySend`
 * is true while every send of the item was a call answered with a refusal that applies
 * nothing (see `refusedUnapplied`): an add failed so was not made, and is not held as the
 * sync's own. A failure answered for the item alone is not such a refusal.
 */
export function countingSends(send: (items: readonly TargetItem[]) => Promise<ItemResult[]>): {
  readonly send: (items: readonly TargetItem[]) => Promise<ItemResult[]>;
  readonly firstSend: (item: TargetItem) => boolean;
  readonly refusedEverySend: (item: TargetItem) => boolean;
} {
  const sends = new Map<TargetItem, number>();
  const uncertain = new Set<TargetItem>();
  const count = (items: readonly TargetItem[], by: number) => {
    for (const t of items) sends.set(t, (sends.get(t) ?? 0) + by);
  };
  return {
    firstSend: (item) => sends.get(item) === 1,
    refusedEverySend: (item) => !uncertain.has(item),
    send: async (items) => {
      count(items, 1);
      try {
        const answers = await send(items);
        count(items.filter((_, i) => { const a = answers[i]; return a?.ok === false && isNothingSent(a.error); }), -1);
        // An item's own failure says nothing of the add: a verb may fail an item after the add answered (Salesforce's
        // DUPLICATE_VALUE, then its who-made-it read refused: fresh reviewer 155, F1).
        items.forEach((t, i) => { const a = answers[i]; if (a?.ok === false && !isNothingSent(a.error)) uncertain.add(t); });
        return answers;
      } catch (thrown) {
        const error = toSyncError(thrown);
        if (isNothingSent(error)) count(items, -1);
        else if (!refusedUnapplied(error)) for (const t of items) uncertain.add(t);
        throw thrown;
      }
    },
  };
}

/**
 * Whether a failed call's answer says the destination applied none of it: a refusal (4xx
 * but 408), a 429, or a 503 (Service Unavailable: the request was not served, RFC 9110
 * §15.6.4). A timeout, a cut connection, a 500, 502 or 504 may have been applied first.
 * https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4
 */
function refusedUnapplied(error: { readonly status?: number | undefined }): boolean {
  const status = error.status;
  if (status === undefined) return false;
  return (status >= 400 && status < 500 && status !== 408) || status === 503;
}

/**
 * True when the record held destination group `id` under another name this sync added, which
 * it now leaves (a case variant: Salesforce and Intercom compare names case-insensitively,
 * so `VIP` and `vip` are one campaign or tag): the "already a member" answer to the add is
 * that membership, the sync's own — not one a person made (fresh reviewer 92, F2: it became
 * found, and was never removed).
 */
function heldUnderAnotherName(ctx: RecordRunContext, record: RecordView, id: string): boolean {
  const found = foundOf(record.entry);
  return (record.plan?.removeGroups ?? []).some((g) => !found.has(g) && ctx.groupIds.idOf(g) === id);
}

/**
 * The destination records (of `records`) whose membership in `group` another state entry of
 * this sync holds as its own (not found): a row that left the source, or changed its id, while
 * the record stayed (verify, seed 998622555: `r1` added the Contact to `alpha`, then left as
 * `r3` came with the same Email and `alpha`; the add's "already a member" answer was `r1`'s
 * membership, taken for a person's and never removed). The same group: its name but for case
 * (Salesforce and Intercom compare names so), or one this run resolved to its id.
 */
async function heldByAnotherEntry(ctx: RecordRunContext, records: readonly RecordView[], group: GroupRef): Promise<Set<string>> {
  const held = new Set<string>();
  if (records.length === 0) return held;
  const entries = await ctx.state.findByDestinationIds(ctx.syncId, [...new Set(records.map((r) => r.destinationId as string))]);
  const own = new Map(records.map((r) => [r.destinationId as string, r.recordId]));
  for (const e of entries) {
    if (e.destinationId === null || own.get(e.destinationId) === e.recordId) continue;
    const found = foundOf(e);
    if (e.snapshot.groups.some((g) => !found.has(g) && (g.toLowerCase() === group.name.toLowerCase() || ctx.groupIds.idOf(g) === group.id))) held.add(e.destinationId);
  }
  return held;
}

/**
 * The origin of each add of `batch` to `group` (`results` in the same order): `others` when
 * the destination proved it; `found` for a first send's "already a member" that neither the
 * record under another name, nor another entry of this sync, nor another sync sharing the
 * state (`ownedElsewhere`) holds as its own; `own` otherwise. The state reads happen only when
 * some answer needs them; one that fails throws (the caller fails those acknowledgements, and
 * the next run decides: fresh reviewer 93, F5).
 */
export async function addOrigins(ctx: RecordRunContext, group: GroupRef, batch: readonly RecordView[], results: readonly (ItemResult | undefined)[], firstSend: (j: number) => boolean): Promise<AddOrigin[]> {
  const candidates = batch.filter((r, j) => {
    const result = results[j];
    return result?.ok === true && result.existing === true && result.madeByOther !== true && firstSend(j) && !heldUnderAnotherName(ctx, r, group.id);
  });
  const held = await heldByAnotherEntry(ctx, candidates, group);
  for (const id of await ownedElsewhere(ctx, candidates, group.name, group.id)) held.add(id);
  return batch.map((r, j) => {
    const result = results[j];
    if (result?.ok !== true || result.existing !== true) return 'none';
    if (result.madeByOther === true) return 'others';
    return candidates.includes(r) && !held.has(r.destinationId as string) ? 'found' : 'own';
  });
}
