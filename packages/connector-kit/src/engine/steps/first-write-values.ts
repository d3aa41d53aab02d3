import { isEmpty } from '../../records/property-diff';
import type { Properties } from '../../records/types';
import type { RecordEvent } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';

/**
 * Checks the values of each record about to be looked up with no state (`validate`, as an
 * update of every non-empty property the destination writes): a match or a create writes them all, so a
 * value the destination refuses fails the record alone before its lookup, which costs a call
 * of a paced budget — OneSignal reads one user a second (fresh reviewer 87, F10: a row with a
 * bad date was looked up before it failed `invalid_date`). The check after planning
 * (`planRecords`) still applies to what is actually sent, creates' required fields included.
 * A record in enrich mode that no lookup would find fails here rather than being skipped
 * `not_found`: its row needs fixing either way. Only records `lookedUp` says will be looked up.
 */
export function refuseInvalidFirstWrites(ctx: RecordRunContext, ledger: RecordLedger, lookedUp: (record: RecordView) => boolean): void {
  const validate = ctx.destination.validate;
  if (!validate) return;
  const unwritten = new Set(ctx.destination.unwrittenProperties ?? []);
  const events: RecordEvent[] = [];
  for (const r of ledger.open()) {
    if (r.next === null || r.entry !== undefined || r.found !== undefined || r.matchKey === undefined || !lookedUp(r)) continue;
    const properties: Record<string, Properties[string]> = {};
    // Empty values are not sent by a create or a first match (fresh reviewer 95, F3: a new Lead with Status "" failed invalid_picklist_value).
    for (const key in r.next.properties) if (!unwritten.has(key) && !isEmpty(r.next.properties[key])) properties[key] = r.next.properties[key] as Properties[string];
    const problem = validate(ctx.verbs, { ref: r.ref, recordId: r.recordId, snapshot: r.next, properties, action: 'update' });
    if (problem) events.push({ type: 'settled', ref: r.ref, result: { outcome: 'failed', code: problem.code, message: problem.message, retryable: problem.retryable, action: 'fail' } });
  }
  ledger.report(events);
}
