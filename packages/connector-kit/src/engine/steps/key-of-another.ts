import { permits } from '../../modes/permits';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { namedIds } from './named-ids';

/** Why a row whose match key is another row's identifier is refused: the text between the rows' names and the advice. */
function why(ctx: RecordRunContext, r: RecordView, holders: readonly string[], label: string): string {
  const many = holders.length > 1;
  const others = `${many ? 'records' : 'record'} ${namedIds(holders)} in the source`;
  const by = `${ctx.destinationName} finds ${many ? 'them by their' : 'it by its'} own ${ctx.matchKeyLabel}`;
  if (r.found === undefined) {
    return (
      `This row's ${label} is also the ${label} of ${others}, and ${by}: ` +
      `${ctx.destinationName} finds a record by either, so creating this row would put a second record with that ${label} beside ${many ? 'theirs' : 'that one'}.`
    );
  }
  return (
    `${ctx.destinationName} record ${r.found.id}, found by this row's ${label}, is not known to be that of ${others}, ` +
    `which ${many ? 'have' : 'has'} this ${label} too, and ${by}: this row could mean ${many ? 'any of these people' : 'either person'}, and this sync never wrote ${r.found.id} for it.`
  );
}

/**
 * The current source records, other than `r`, having `r`'s match key as an identifier
 * (`identityKeys`) of their own, that will not be written to the destination record `r`
 * found: all of them when `r` found none; none when this sync wrote that record for `r`
 * (its state entry); else those that neither found it nor hold it in state (they are
 * created, or write another record). A holder outside this window counts by its state
 * entry alone: whether its own lookup will find that record is not known yet, so `r` is
 * refused (unsure); nothing is written for it, and the holder goes on in its window.
 */
async function otherHolders(ctx: RecordRunContext, r: RecordView, window: () => ReadonlyMap<string, RecordView>): Promise<string[]> {
  if (r.matchKey === undefined) return [];
  // Rows sharing this key as their own key have failed duplicate_match_key before: the holders left have it as another identifier.
  const holders = ctx.source.identityHolders([r.matchKey], r.recordId);
  const found = r.found;
  if (found === undefined || holders.length === 0) return holders;
  // This sync wrote that record for this row: the row keeps it, whoever else has the key.
  if (r.entry?.destinationId === found.id) return [];
  const byId = window();
  const outside = holders.filter((h) => !byId.has(h));
  const tracked = outside.length > 0 ? await ctx.state.get(ctx.syncId, outside) : new Map<string, { destinationId: string | null }>();
  const writesFound = (h: string) => {
    const other = byId.get(h);
    return other ? other.found?.id === found.id || other.entry?.destinationId === found.id : tracked.get(h)?.destinationId === found.id;
  };
  return holders.filter((h) => !writesFound(h));
}

/**
 * Refuses (`identity_unclear`) each open record that would be written by its match key when
 * that key is an identifier (`identityKeys`) of another current source record matched by a
 * key of its own, and that other record will not be written to the same destination record:
 * - it found no destination record and would be created: the destination finds one record
 *   by either, so creating it would put a second record with that identifier beside the
 *   other row's. Intercom, matching by external_id then email: a row with only an email and
 *   a row with an external_id and that same email made a lead and a user with one email in
 *   one run (over two runs the later row was already refused: `duplicate_destination_record`);
 * - it found one that this sync never wrote for it and that the other row neither finds nor
 *   holds in state (the other row is created, or writes another record, or is in another
 *   window: unsure): the key names two people. Intercom: a user with that email and a third
 *   external_id took the email-only row's values while the row with its own external_id and
 *   that email was created beside it (fresh reviewer 84, F4).
 *
 * The row the key names is refused, not the row holding its own key; nothing is written for
 * it. A destination record both rows find is left to `refuseForeignIdentities` and
 * `claimRecords`. Enrich creates nothing, so nothing is refused there.
 */
export async function refuseKeysOfOthers(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  if (ctx.destination.identityKeys === undefined || !permits(ctx.mode, 'create')) return;
  const label = ctx.destination.identityLabel?.(ctx.config) ?? 'identifier';
  let byId: Map<string, RecordView> | undefined;
  const window = () => (byId ??= new Map(ledger.all().map((r) => [r.recordId, r])));
  const events: RecordEvent[] = [];
  for (const r of ledger.open()) {
    if (r.next === null || r.found?.presumed) continue;
    const holders = await otherHolders(ctx, r, window);
    if (holders.length === 0) continue;
    const message =
      `${why(ctx, r, holders, label)} Nothing was written. ` +
      `If the rows are one person, merge them in the source; if they are two people, give each their own ${label}.`;
    events.push({ type: 'settled', ref: r.ref, result: { outcome: 'failed', code: 'identity_unclear', message, retryable: false, destinationId: r.entry?.destinationId ?? undefined, action: 'fail' } });
  }
  ledger.report(events);
}
