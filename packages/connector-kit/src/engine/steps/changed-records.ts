import { propertyChanges } from '../../records/property-diff';
import type { RecordView } from '../ledger/ledger-record';
import { sentValues } from '../ledger/pending-before';

/**
 * The window's records whose row changed its values (written before, still in the source, not
 * refused already), as the rules comparing them with each other see them. A record whose row
 * keeps its values ({@link keepsItsValues}) is left out, as an unchanged record is (it reaches
 * the window for its groups, a recheck, or to resend a write-ahead mark): counted, its values
 * were no longer another record's alone, and three rows rotating their values, refused in a
 * plain rerun, were written (verify, state faults: a sample of seed 1090; fresh reviewer 133,
 * F1 and F2: the mark cleared a field, a row's groups changed, `recheck`).
 */
export function changedRecords(rows: readonly RecordView[]): RecordView[] {
  return rows.filter((r) => r.result === undefined && r.next !== null && r.entry !== undefined && !r.entry.notFound && r.entry.destinationId !== null && !keepsItsValues(r));
}

/**
 * True for a record whose row holds what its row said last: its state's values, or for a
 * write-ahead mark the mark's as sent (`sentValues`: the fields its write clears emptied) —
 * its groups changed, a recheck, or the mark resent as it was. Such a row carries nobody
 * else's values and lost none of its own; leaving it out of the comparisons only leaves other
 * records' values more telling. A row going back to the values before a mark is a change
 * (the mark's write may have gone out: fresh reviewer 134, F1, a swap was written).
 */
export function keepsItsValues(r: RecordView): boolean {
  const next = r.next;
  if (r.entry === undefined || next === null) return false;
  return Object.keys(propertyChanges(sentValues(r.entry.snapshot), next.properties)).length === 0;
}
