import { permits } from '../../modes/permits';
import type { RecordEvent } from '../ledger/events';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { namedIds } from './named-ids';

/**
 * Refuses (`identity_unclear`) each open record that found no destination record and would
 * be created, when its match key is an identifier (`identityKeys`) of another current
 * source record matched by a key of its own: the destination finds one record by either,
 * so creating this one would put a second record with that identifier beside the other
 * row's. Intercom, matching by external_id then email: a row with only an email and a row
 * with an external_id and that same email made a lead and a user with one email in one run
 * (over two runs the later row was already refused: `duplicate_destination_record`). The
 * row the key names is refused, not the row holding its own key; nothing is written for it.
 * A record that found one is left to `refuseForeignIdentities` and `claimRecords`; enrich
 * creates nothing, so nothing is refused there.
 */
export function refuseKeysOfOthers(ctx: RecordRunContext, ledger: RecordLedger): void {
  if (ctx.destination.identityKeys === undefined || !permits(ctx.mode, 'create')) return;
  const label = ctx.destination.identityLabel?.(ctx.config) ?? 'identifier';
  const events: RecordEvent[] = [];
  for (const r of ledger.open()) {
    if (r.found !== undefined || r.next === null || r.matchKey === undefined) continue;
    // Rows sharing this key as their own key have failed duplicate_match_key before: the holders left have it as another identifier.
    const holders = ctx.source.identityHolders([r.matchKey], r.recordId);
    if (holders.length === 0) continue;
    const message =
      `This row's ${label} is also the ${label} of record ${namedIds(holders)} in the source, which ${ctx.destinationName} finds by its own ${ctx.matchKeyLabel}: ` +
      `${ctx.destinationName} finds a record by either, so creating this row would put a second record with that ${label} beside that one. Nothing was written. ` +
      `If the rows are one person, merge them in the source; if they are two people, give each their own ${label}.`;
    events.push({ type: 'settled', ref: r.ref, result: { outcome: 'failed', code: 'identity_unclear', message, retryable: false, destinationId: r.entry?.destinationId ?? undefined, action: 'fail' } });
  }
  ledger.report(events);
}
