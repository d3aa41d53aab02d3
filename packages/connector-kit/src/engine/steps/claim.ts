import type { RecordEvent, ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext, RunContext } from '../run/run-context';
import type { RecordSnapshot } from '../../records/types';
import type { StateEntry } from '../../state/state-store';
import { keyHeldBySeveral, mayBeSamePerson } from './key-holder';

/** Destination id → the ids of state entries naming it. */
async function stateHolders(ctx: RunContext, destinationIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (destinationIds.length === 0) return out;
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, destinationIds)) {
    if (e.destinationId !== null) out.set(e.destinationId, [...(out.get(e.destinationId) ?? []), e.recordId]);
  }
  return out;
}

/** The source record that holds `destinationId` besides `record`: one that claimed it earlier in this run, or one still in the source whose state names it. */
function holderOf(ctx: RunContext, record: RecordView, destinationId: string, fromState: ReadonlyMap<string, string[]>): string | undefined {
  const claimed = ctx.claims.holder(destinationId);
  if (claimed !== undefined && claimed !== record.recordId) return claimed;
  return fromState.get(destinationId)?.find((id) => id !== record.recordId && ctx.source.inSource(id));
}

/**
 * The keys a record that left the source may still be found by: its match key and, after a
 * key change never confirmed (see `departureRecord`), the one it had, which its destination
 * record may still hold (fresh reviewer 114, F1: a row now holding that one was not taken
 * for the person, and the record was deleted).
 */
function departureKeys(record: RecordView): string[] {
  return [record.matchKey, record.previousMatchKey].filter((key): key is string => key !== undefined);
}

/** For a record that left the source: the current record holding one of its keys, if any. */
function keyHolder(ctx: RunContext, record: RecordView): string | undefined {
  for (const key of departureKeys(record)) {
    const holder = ctx.source.keyHolder(key);
    if (holder !== undefined && holder !== record.recordId) return holder;
  }
  return undefined;
}

/**
 * The state entries of the current records holding the match keys of departed records, so a
 * holder this sync tracks under another destination record is not taken for the departed
 * person ({@link mayBeSamePerson}).
 */
async function keyHolderEntries(ctx: RunContext, records: readonly RecordView[]): Promise<ReadonlyMap<string, StateEntry>> {
  const holders = records.flatMap((r) => (r.next === null ? [keyHolder(ctx, r)] : [])).filter((h): h is string => h !== undefined);
  return holders.length === 0 ? new Map() : ctx.state.get(ctx.syncId, [...new Set(holders)]);
}

/**
 * Departing record id → the new row resembling it (`ValueCarriers.releasableTo`) that this
 * run wrote as a record of its own (its state names another destination record): maybe that
 * person under a new id and a new key, maybe someone else. The departing record is released —
 * kept as it is and no longer tracked — since tracking it would delete it on the next run,
 * when the row is no longer new (seventh trial of stop 28, G3: her Lead deleted a run later).
 */
async function releasedByValues(ctx: RecordRunContext, records: readonly RecordView[]): Promise<Map<string, string>> {
  const rows = new Map<string, string>();
  for (const r of records) {
    const row = r.next === null ? ctx.carriers.releasableTo(r.recordId) : undefined;
    if (row !== undefined) rows.set(r.recordId, row);
  }
  if (rows.size === 0) return rows;
  const written = await ctx.state.get(ctx.syncId, [...new Set(rows.values())]);
  const released = new Map<string, string>();
  for (const r of records) {
    const row = rows.get(r.recordId);
    const own = r.found && !r.found.presumed ? r.found.id : r.entry?.destinationId;
    const theirs = row === undefined ? undefined : written.get(row);
    if (row !== undefined && theirs !== undefined && !theirs.notFound && theirs.destinationId !== null && theirs.destinationId !== own) released.set(r.recordId, row);
  }
  return released;
}

/**
 * After the lookup, gives every destination record to one source record:
 *
 * - a current record that found a destination record another current record holds
 *   (claimed earlier in this run, or named by its state) fails with
 *   `duplicate_destination_record`, naming the other record; nothing is written — the
 *   first record wins;
 * - a record that left the source whose destination record (or match key) a current
 *   record holds — the same person under a new id — is `claimed` by that record: it is never
 *   deleted; it only leaves the managed groups the holder is not in (see `classify`); so is
 *   one whose match key several current records hold ({@link keyHeldBySeveral}).
 */
/**
 * Adds the holders' managed groups (from state) to `claimed` events. With `sameRecord`
 * (record destinations: the departing record's destination id), a holder's groups count
 * only when its state names that same destination record: a holder that has not written it
 * (its own row failed, e.g. `duplicate_match_key`, or its state says "not found") says
 * nothing about that record's groups, so none are removed and the next run decides again.
 */
async function withHolderGroups(ctx: RunContext, events: RecordEvent[], sameRecord?: ReadonlyMap<number, string>): Promise<RecordEvent[]> {
  const holders = events.flatMap((e) => (e.type === 'claimed' ? [e.holder] : []));
  if (holders.length === 0) return events;
  const entries = await ctx.state.get(ctx.syncId, [...new Set(holders)]);
  return events.map((e) => {
    if (e.type !== 'claimed') return e;
    const entry = entries.get(e.holder);
    const want = sameRecord?.get(e.ref);
    const holds = entry !== undefined && (want === undefined || entry.destinationId === want);
    return { ...e, holderGroups: holds ? entry.snapshot.groups : undefined };
  });
}

/** A record whose found destination record another current record holds. */
interface Duplicate {
  readonly record: RecordView;
  readonly id: string;
  readonly holder: string;
}

/** A record's match key and its other identifiers (`identityKeys`), as the destination finds it by them. */
function keysOf(ctx: RecordRunContext, snapshot: RecordSnapshot): { readonly key: string | undefined; readonly ids: readonly string[] } {
  return { key: ctx.destination.matchKey(snapshot, ctx.config), ids: ctx.destination.identityKeys?.(snapshot, ctx.config) ?? [] };
}

/**
 * The words for an identifier of this row that this sync also wrote onto the holder's
 * destination record, if any: as the holder's match key or one of its other identifiers
 * (Intercom finds a contact by its email as well as by its external_id, so a row with only the
 * email of a row with both resolves to that row's contact, and the other way round: fresh
 * helper 72, finding 6). An identifier that is one of either record's other identifiers is
 * named by `identityLabel` (the email), not by the match key's label ("external_id or email").
 */
function sharedWithHolder(ctx: RecordRunContext, d: Duplicate, holderState: StateEntry | undefined): string | undefined {
  if (holderState === undefined || holderState.notFound || d.record.next === null) return undefined;
  const theirs = keysOf(ctx, holderState.snapshot);
  const mine = keysOf(ctx, d.record.next);
  const written = new Set([theirs.key, ...theirs.ids]);
  const shared = [mine.key, ...mine.ids].find((k) => k !== undefined && written.has(k));
  if (shared === undefined) return undefined;
  const identifier = mine.ids.includes(shared) || theirs.ids.includes(shared);
  return identifier ? (ctx.destination.identityLabel?.(ctx.config) ?? 'identifier') : ctx.matchKeyLabel;
}

/**
 * The refusal of a {@link Duplicate} (`duplicate_destination_record`), saying why they meet: the
 * holder claimed it earlier in this run; the holder gave this key up in the source (two changes
 * to send apart); this sync wrote the holder's record with this key (two rows with one
 * identifier: one person or two, the destination cannot tell them apart); or the destination
 * record got this key without this sync (changed in the destination: first trial of stop 31,
 * the message told the user to send a change the source never had).
 */
function duplicateResult(ctx: RecordRunContext, d: Duplicate, holderState: StateEntry | undefined) {
  const dest = ctx.destinationName;
  const label = ctx.matchKeyLabel;
  const inRun = ctx.claims.holder(d.id) === d.holder;
  const gaveUp = holderState !== undefined && d.record.matchKey !== undefined && holderState.matchKey === d.record.matchKey && ctx.source.keyHolder(d.record.matchKey) === d.record.recordId;
  const shared = sharedWithHolder(ctx, d, holderState);
  const message = inRun
    ? `Resolves to the same destination record (${d.id}) as record "${d.holder}", which comes first in this run; nothing was written. Give the two records different match keys, or merge them in the source.`
    : gaveUp
      ? `Resolves to ${dest} record ${d.id}, which this sync tracks for record "${d.holder}", whose ${label} was this one until this run; nothing was written. If "${d.holder}" changed its ${label} and this is someone new with its old one, send the two changes in separate runs ("${d.holder}"'s first); if they are one person, merge the rows in the source.`
      : shared !== undefined
        ? `Resolves to ${dest} record ${d.id}, which this sync wrote for record "${d.holder}" with this row's ${shared} too: ${dest} finds that record by it, so this row cannot be told apart from "${d.holder}"; nothing was written. If the two rows are one person, merge them in the source; if they are two people, give each their own ${shared}.`
        : `Resolves to ${dest} record ${d.id}, which this sync tracks for record "${d.holder}" but which now has this row's ${label}, though this sync never wrote it there (changed or merged in ${dest}); nothing was written. Fix that record in ${dest} (give it back "${d.holder}"'s ${label}, or merge it), then run again.`;
  return { outcome: 'failed' as const, code: 'duplicate_destination_record', message, retryable: false, destinationId: d.id, action: 'fail' as const };
}

/**
 * A record that left the source whose lookup failed (`lookupFailure`): released as
 * `releasedByValues` says — kept as it is and forgotten, which needs no lookup — when nobody
 * in the source holds its destination record (by state) or one of its keys; otherwise its
 * lookup failure stands and the next run decides again. The record the state names is
 * presumed (nothing is written to it).
 */
function unlookedDeparture(ctx: RunContext, record: RecordView, releasedTo: ReadonlyMap<string, string>, fromState: ReadonlyMap<string, string[]>): RecordEvent[] {
  const id = record.entry?.destinationId ?? undefined;
  const released = releasedTo.get(record.recordId);
  const held = id === undefined || holderOf(ctx, record, id, fromState) !== undefined || keyHolder(ctx, record) !== undefined;
  if (released === undefined || held) return [{ type: 'settled', ref: record.ref, result: record.lookupFailure as ResultFields }];
  return [
    { type: 'found', ref: record.ref, match: { id, presumed: true } },
    { type: 'claimed', ref: record.ref, holder: released, byValues: true, released: true },
  ];
}

export async function claimRecords(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const found = ledger.open().filter((r) => r.found !== undefined && !r.found.presumed);
  const unlooked = ledger.open().filter((r) => r.lookupFailure !== undefined && r.entry?.destinationId);
  const fromState = await stateHolders(ctx, [...new Set([...found.map((r) => r.found?.id as string), ...unlooked.map((r) => r.entry?.destinationId as string)])]);
  const events: RecordEvent[] = [];
  const departedIds = new Map<number, string>();
  const holderEntries = await keyHolderEntries(ctx, ledger.open());
  const releasedTo = await releasedByValues(ctx, ledger.open());
  const duplicates: Duplicate[] = [];
  for (const record of ledger.open()) {
    const id = record.found && !record.found.presumed ? record.found.id : undefined;
    if (record.next === null && record.lookupFailure !== undefined) {
      events.push(...unlookedDeparture(ctx, record, releasedTo, fromState));
      if (record.entry?.destinationId) departedIds.set(record.ref, record.entry.destinationId);
      continue;
    }
    if (record.next === null) {
      const byKey = keyHolder(ctx, record);
      // A holder whose own row was refused in this run (who it is could not be told) says nothing sure either: the record is kept, and the next run decides again
      // (verify, quick, seed 112453665: r2 took r1's Email with r3's values and was refused; r1's Contact was deleted, and nobody held that Email).
      const unsure = departureKeys(record).some((k) => keyHeldBySeveral(k, (key) => ctx.source.keyShared(key))) || (byKey !== undefined && ctx.claims.refused(byKey));
      const sameByKey = byKey !== undefined && (unsure || mayBeSamePerson(holderEntries.get(byKey), id ?? record.entry?.destinationId, (key) => ctx.source.keyHolder(key))) ? byKey : undefined;
      const holder = (id === undefined ? undefined : holderOf(ctx, record, id, fromState)) ?? sameByKey;
      const carrier = holder === undefined ? ctx.carriers.carrierOf(record.recordId) : undefined;
      const released = holder === undefined ? releasedTo.get(record.recordId) : undefined;
      if (holder !== undefined) events.push({ type: 'claimed', ref: record.ref, holder });
      else if (released !== undefined) events.push({ type: 'claimed', ref: record.ref, holder: released, byValues: true, released: true });
      else if (carrier !== undefined) events.push({ type: 'claimed', ref: record.ref, holder: carrier, byValues: true });
      if (id !== undefined) departedIds.set(record.ref, id);
      continue;
    }
    if (id === undefined) continue;
    const holder = holderOf(ctx, record, id, fromState);
    if (holder === undefined) {
      ctx.claims.claim(id, record.recordId);
      continue;
    }
    duplicates.push({ record, id, holder });
  }
  const holderStates = duplicates.length === 0 ? new Map<string, StateEntry>() : await ctx.state.get(ctx.syncId, [...new Set(duplicates.map((d) => d.holder))]);
  for (const d of duplicates) events.push({ type: 'settled', ref: d.record.ref, result: duplicateResult(ctx, d, holderStates.get(d.holder)) });
  ledger.report(await withHolderGroups(ctx, events, departedIds));
}

/**
 * Audiences: a record that left the source while a current record has its identity (match
 * key) is claimed by it (removing it would remove that person); so is a record whose
 * identifiers changed while a current record took its previous ones — the old identity is
 * that record's now, so it leaves only the audiences that record is not in. The holder's
 * audiences are where its source row puts it when it is in this window (it joins and leaves
 * them in this run; trial of stop 25: an old identity was kept in an audience its holder was
 * leaving, and nobody tracked it after), else its state's. A holder whose own row is refused
 * in this run (`SourceFacts.refused`) is said so: it takes no identity, so none is linked to it.
 */
export async function claimAudienceRecords(ctx: RunContext, ledger: RecordLedger): Promise<void> {
  const events: RecordEvent[] = [];
  const open = ledger.open();
  for (const record of open) {
    if (!record.entry) continue;
    const key = record.next === null ? record.matchKey : record.previousMatchKey;
    const holder = key === undefined ? undefined : ctx.source.keyHolder(key);
    if (holder !== undefined && holder !== record.recordId) events.push({ type: 'claimed', ref: record.ref, holder, ...(ctx.source.refused(holder) ? { holderRefused: true } : {}) });
  }
  const joining = new Map(open.flatMap((r) => (r.next ? [[r.recordId, r.next.groups] as const] : [])));
  const claimed = await withHolderGroups(ctx, events);
  ledger.report(
    claimed.map((e) => {
      const joins = e.type === 'claimed' ? joining.get(e.holder) : undefined;
      return e.type === 'claimed' && joins ? { ...e, holderGroups: [...new Set(joins)] } : e;
    }),
  );
}
