import type { RecordEvent } from './events';
import { withAck, type LedgerRecord } from './ledger-record';

/** Events about what the record is in the destination and who else holds it (lookup, claims, sharing). */
type IdentityEvent = Extract<RecordEvent, { type: 'found' | 'claimed' | 'shared' | 'tracked_elsewhere' | 'linked' | 'passed_over' | 'lookup_failed' | 'missing' }>;
/** Events about what is sent for the record and how it ends. */
type SendingEvent = Exclude<RecordEvent, IdentityEvent>;

const IDENTITY_EVENTS: ReadonlySet<RecordEvent['type']> = new Set<IdentityEvent['type']>(['found', 'claimed', 'shared', 'tracked_elsewhere', 'linked', 'passed_over', 'lookup_failed', 'missing']);

/**
 * Applies one event to one record: the only place in the engine where a record's fields
 * change (TanStack Query's `dispatch` is the model). A record with a final result takes no
 * further events but `unrecorded`.
 */
export function reduce(record: LedgerRecord, event: RecordEvent): void {
  if (record.result && event.type !== 'unrecorded') return;
  if (IDENTITY_EVENTS.has(event.type)) reduceIdentity(record, event as IdentityEvent);
  else reduceSending(record, event as SendingEvent);
}

function reduceIdentity(record: LedgerRecord, event: IdentityEvent): void {
  switch (event.type) {
    case 'found':
      record.found = event.match;
      // Ownership follows the last record found: the one the state names keeps the state's
      // ownership; another one is not the record this sync created. (A key change sent but not
      // recorded is found by its old key first — now maybe a copy — then by its new key.)
      if (record.entry?.destinationId) record.owned = record.entry.owned && record.entry.destinationId === event.match.id;
      record.destinationId = event.match.id;
      return;
    case 'claimed':
      record.claimedBy = event.holder;
      record.holderGroups = event.holderGroups;
      record.holderRefused = event.holderRefused === true;
      record.claimedByValues = event.byValues === true;
      record.released = event.released === true;
      return;
    case 'shared':
      record.sharedWith = event.holders;
      record.sharedGroups = event.groups;
      record.identityOverlaps = event.overlaps === true;
      return;
    case 'tracked_elsewhere':
      record.trackedElsewhere = event.syncs;
      record.elsewhereGroups = event.groups;
      return;
    case 'linked':
      record.inheritedLinks = event.identities;
      return;
    case 'passed_over':
      record.passedOver = event.others;
      return;
    case 'lookup_failed':
      record.lookupFailure = event.result;
      return;
    case 'missing':
      record.found = undefined;
      record.destinationId = undefined;
      record.owned = false;
      record.plan = undefined;
      return;
  }
}

function reduceSending(record: LedgerRecord, event: SendingEvent): void {
  switch (event.type) {
    case 'planned':
      record.plan = event.plan;
      return;
    case 'acknowledged':
      record.acked = withAck(record.acked, event.op);
      // A membership the record already had: kept as found, never removed by this sync.
      if (event.existing === true && event.op.startsWith('add:')) record.acked = withAck(record.acked, `${event.madeByOther === true ? 'others' : 'found'}:${event.op.slice(4)}`);
      // A removal not sent: other syncs have that membership from their source (the result says so).
      if (event.keptFor !== undefined && event.op.startsWith('remove:')) record.keptElsewhere = [...(record.keptElsewhere ?? []), { group: event.op.slice(7), syncs: event.keptFor }];
      if (event.op === 'write' && record.plan?.action === 'create') {
        record.existing = event.existing === true;
        // Answered with the record this sync created before (its state says so: restored from an archive, or met again after
        // a 404 on its update): still this sync's own.
        record.owned = !record.existing || (record.entry?.owned === true && event.id !== undefined && record.entry.destinationId === event.id);
        if (event.id !== undefined) record.destinationId = event.id;
      }
      return;
    case 'group_failed':
      record.groupError ??= event.error;
      if (event.unsent && event.unsent.length > 0) record.unsentAdds = new Set([...record.unsentAdds, ...event.unsent]);
      return;
    case 'group_gone':
      record.acked = withAck(record.acked, event.op);
      record.groupGone ??= event.error;
      return;
    case 'deferred':
      record.deferred ??= event.error;
      return;
    case 'settled':
      record.result = { id: record.recordId, row: record.row, ...event.result };
      if (event.partlyApplied === true) record.partlyApplied = true;
      return;
    case 'marked':
      record.marked = true;
      return;
    case 'dispatched':
      record.dispatched = true;
      return;
    case 'unrecorded':
      record.unrecorded ??= event.error;
      return;
  }
}
