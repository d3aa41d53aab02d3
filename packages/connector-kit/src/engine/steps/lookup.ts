import type { LookupRequest } from '../../destination/verbs';
import type { StateEntry } from '../../state/state-store';
import type { RecordSnapshot } from '../../records/types';
import { permits } from '../../modes/permits';
import { SYNC_MODE_TABLE } from '../../modes/sync-modes';
import type { ResultFields } from '../ledger/events';
import type { RecordView } from '../ledger/ledger-record';
import type { RecordLedger } from '../ledger/record-ledger';
import type { RecordRunContext } from '../run/run-context';
import { refuseOpenKeyMoves } from './key-moves';
import { refuseIdentityMoves } from './identity-moves';
import { takesValuesWith } from './key-holder';
import { refuseValueCarriers } from './refuse-value-carriers';
import { listIds } from './match-decision';
import { refuseInvalidFirstWrites } from './first-write-values';
import { findAll, isOwnRecord } from './find-all';
import { lookupByMarkKeys } from './mark-key-lookup';

/** The result of a record whose key matches several destination records. */
function ambiguous(ctx: RecordRunContext, ids: readonly string[]): ResultFields {
  const name = ctx.destinationName;
  return {
    outcome: 'failed',
    code: 'ambiguous_match',
    message: `${ids.length} ${name} records have this ${ctx.matchKeyLabel} (${listIds(ids)}); nothing was written to any of them. Merge the duplicates in ${name}, or give the record a key only one of them has.`,
    retryable: false,
    action: 'fail',
  };
}

/**
 * Who has the key a record wants: a record that left the source (kept while the wanting
 * record has its key, see `claimRecords`; `renumbered`: the record now having the wanting
 * record's previous key), or one still in the source whose own change was refused.
 */
type Holder = { departed: string; renumbered?: string | undefined; looksLike?: boolean } | { waiting: string };

/** How the user makes two destination records one (the destination's `duplicateRemedy`). */
function remedy(ctx: RecordRunContext): string {
  return ctx.destination.duplicateRemedy ?? `merge the two ${ctx.destinationName} records`;
}

function takenNext(ctx: RecordRunContext, holder: Holder | undefined): string {
  if (holder === undefined) return `${remedy(ctx)}, or fix the source`;
  if ('waiting' in holder) return 'the next run sends this change once that record has its new key';
  // Its row may be one that could not be read (sixth finding of the first trial of stop 31: "left" it had not).
  if (ctx.source.departuresUncertain !== undefined) return `nothing is deleted while ${ctx.source.departuresUncertain.replace(/; nothing is deleted or removed.*$/, '')}: fix those rows and run again`;
  if (holder.renumbered !== undefined) {
    return (
      `its previous ${ctx.matchKeyLabel} is now record "${holder.renumbered}"'s, so the source's ids look renumbered or reused: ` +
      `nothing is deleted or written for these records until each person has one id (give them back their ids, or merge or remove the other ${ctx.destinationName} record if this really is someone new)`
    );
  }
  if (holder.looksLike === true) {
    return (
      `this row took other values of that record's with it, so it may be that person under a new id (ids reused or shifted): that record is kept and nothing is written for either — ` +
      `if it is that person, ${remedy(ctx)}; if "${holder.departed}" really left, delete that record in ${ctx.destinationName}, and the next run sends this change`
    );
  }
  return permits(ctx.mode, 'delete', { owned: true, deletePolicy: 'owned' })
    ? `if this run deletes that record, the next run sends this change; if it keeps it (not created by this sync), ${remedy(ctx)}`
    : `${SYNC_MODE_TABLE[ctx.mode].displayName} mode never deletes that record: ${remedy(ctx)}, or fix the source`;
}

function taken(ctx: RecordRunContext, record: RecordView, otherId: string, holder?: Holder): ResultFields {
  const whose =
    holder === undefined
      ? ''
      : 'departed' in holder
        ? `, which this sync wrote for record "${holder.departed}" that ${ctx.source.departuresUncertain === undefined ? 'left the source' : 'is missing from the source'}`
        : `, which this sync wrote for record "${holder.waiting}": that record gives this key up, but its own change was refused in this run`;
  return {
    outcome: 'failed',
    code: 'match_key_taken',
    message: `Its new ${ctx.matchKeyLabel} already belongs to another ${ctx.destinationName} record (${otherId}${whose}); ${takenNext(ctx, holder)}. Not sent.`,
    retryable: false,
    destinationId: record.found?.id,
    action: 'fail',
  };
}

/**
 * Settles records whose new key another destination record has, naming the departed record
 * this sync wrote it for, if any. Keys that crossed are let through: when every record this
 * sync tracks on that other destination record is still in the source, had this key, and no
 * longer has it (two records swapped their emails), the key is being given up in this run
 * and the record is updated in place (a destination that keeps keys unique answers for itself).
 * A crossing waits when a record giving the key up is itself refused in this run (a chain:
 * one record leaves, a second takes its key, a third the second's; or its row has no key or
 * cannot be read: ninth trial of stop 28, two Contacts left with one email): two records never
 * hold one key, and the next run sends it.
 */
async function settleTaken(ctx: RecordRunContext, ledger: RecordLedger, list: ReadonlyArray<readonly [RecordView, readonly string[]]>): Promise<void> {
  if (list.length === 0) return;
  const holders = new Map<string, StateEntry[]>();
  for (const e of await ctx.state.findByDestinationIds(ctx.syncId, [...new Set(list.flatMap(([, ids]) => ids))])) {
    if (e.destinationId !== null) holders.set(e.destinationId, [...(holders.get(e.destinationId) ?? []), e]);
  }
  // Keys cross only where the new key finds one record.
  const crossed = (r: RecordView, ids: readonly string[]): boolean => {
    const named = ids.length === 1 ? (holders.get(ids[0] as string) ?? []) : [];
    return named.length > 0 && ctx.source.keyHolder(r.matchKey as string) === r.recordId && named.every((e) => ctx.source.inSource(e.recordId) && e.matchKey === r.matchKey);
  };
  const refused = new Set(ledger.all().flatMap((r) => (r.result?.outcome === 'failed' ? [r.recordId] : [])));
  const results = new Map<RecordView, ResultFields>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [r, ids] of list) {
      if (results.has(r)) continue;
      const named = ids.flatMap((id) => holders.get(id) ?? []);
      // A record giving the key up whose row failed before this step (no key, unreadable, a duplicate) gives nothing up yet.
      const waiting = crossed(r, ids) ? named.find((e) => refused.has(e.recordId) || ctx.source.refused(e.recordId))?.recordId : undefined;
      if (crossed(r, ids) && waiting === undefined) continue;
      const renumbered = r.previousMatchKey === undefined ? undefined : ctx.source.keyHolder(r.previousMatchKey);
      const keyOf = (s: RecordSnapshot) => ctx.destination.matchKey(s, ctx.config);
      // Maybe a departed person under this id: the record claims each such record, so it is kept (see claimRecords) — also
      // where the key finds another record too (a copy: verify, state faults, a sample of seed 30075: the departed one was deleted).
      const departedOnes = named.filter((e) => !ctx.source.inSource(e.recordId));
      const lookedLike = departedOnes.filter((e) => takesValuesWith(r.next as RecordSnapshot, (r.entry as StateEntry).snapshot, e.snapshot, keyOf));
      for (const e of lookedLike) ctx.claims.claim(e.destinationId as string, r.recordId);
      const departed = lookedLike[0] ?? departedOnes[0];
      const looksLike = lookedLike.length > 0;
      // Where the key finds several records, one of them not a departed one's (a copy) still holds it whatever becomes of the
      // departed record: the plain advice (fresh reviewer 136, F2: "the next run sends this change" was promised).
      const holder: Holder | undefined =
        ids.length > 1 ? undefined : departed !== undefined ? { departed: departed.recordId, renumbered: renumbered !== r.recordId ? renumbered : undefined, looksLike } : waiting !== undefined ? { waiting } : undefined;
      results.set(r, taken(ctx, r, listIds(ids), holder));
      refused.add(r.recordId);
      changed = true;
    }
  }
  ledger.report([...results].map(([r, result]) => ({ type: 'settled', ref: r.ref, result })));
}


/**
 * Records whose key changed: found by the previous key first (so they are updated in
 * place); one whose new key already belongs to another destination record fails alone
 * (`match_key_taken`) instead of creating a duplicate key — unless that record is the one
 * the sync's state names (a re-key sent before, not recorded): then it is that record.
 */
async function lookupMoved(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  await refuseOpenKeyMoves(ctx, ledger);
  await refuseValueCarriers(ctx, ledger);
  // After the value rules: the rows it refuses are still compared by them (their values tell other rows apart).
  await refuseIdentityMoves(ctx, ledger);
  const moved = ledger.open().filter((r) => r.previousMatchKey !== undefined && r.entry);
  const requests = moved.map((r) => ({ ref: r.ref, snapshot: r.entry?.snapshot as NonNullable<RecordView['next']>, matchKey: r.previousMatchKey as string, knownId: r.entry?.destinationId ?? undefined }));
  if (requests.length === 0) return;
  const settle = (record: RecordView, result: ResultFields) => ledger.report([{ type: 'settled', ref: record.ref, result }]);
  await findAll(
    ctx,
    ledger,
    requests,
    (r, match) => {
      if (r.next !== null || isOwnRecord(r, match)) ledger.report([{ type: 'found', ref: r.ref, match }]);
    },
    (r, ids) => {
      if (r.next !== null) settle(r, ambiguous(ctx, ids));
    },
  );
  const found = ledger.open().filter((r) => moved.some((m) => m.ref === r.ref) && r.found && r.next);
  const newKeys = found.map((r) => ({ ref: r.ref, snapshot: r.next as NonNullable<RecordView['next']>, matchKey: r.matchKey as string, knownId: r.entry?.destinationId ?? undefined }));
  if (newKeys.length === 0) return;
  const takenBy: Array<readonly [RecordView, readonly string[]]> = [];
  await findAll(
    ctx,
    ledger,
    newKeys,
    (r, match) => {
      // The new key finds, usable, the record the previous key could only find blocked (read by its id, no longer holding
      // that key): it was given the row's new key in the destination already, so it is the row's record (fresh reviewer
      // 110, F1: refused match_field_changed on every run, though it held exactly what the row now says).
      if (r.found?.blocked && !match.blocked && !match.archived && !match.presumed && match.id === r.found.id) {
        ledger.report([{ type: 'found', ref: r.ref, match }]);
        return;
      }
      if (match.archived || match.presumed || !r.found || match.id === r.found.id) return;
      // The new key finds the record this sync wrote: the re-key was sent before and its state
      // never recorded (the previous key now finds someone else, e.g. a copy). It is that record.
      if (r.entry?.destinationId === match.id) ledger.report([{ type: 'found', ref: r.ref, match }]);
      else takenBy.push([r, [match.id]]);
    },
    (r, ids) => takenBy.push([r, ids.filter((id) => id !== r.found?.id)]),
  );
  await settleTaken(ctx, ledger, takenBy);
}

/**
 * True when the record is written without a lookup: the destination's `create` upserts by
 * match key (`ctx.upsertCreates`) and the record is in the source, has no state (nothing
 * this sync wrote before to tell apart or diff against) and kept its key. It is planned as
 * a create; the destination answers created (owned) or updated (`existing`, not owned).
 */
export function upsertsWithoutLookup(ctx: RecordRunContext, record: RecordView): boolean {
  return ctx.upsertCreates && record.next !== null && record.entry === undefined && record.previousMatchKey === undefined;
}

/**
 * Looks every open record up by match key, in batches of the destination's lookup size:
 * records whose key changed by their previous key first, then the rest by their current
 * key (with the destination id this sync stored, as a hint and as the tie-breaker among
 * several matches). Reports `found`, or settles records that cannot be looked up or whose
 * key is ambiguous. Records the destination upserts ({@link upsertsWithoutLookup}) are
 * not looked up; records with no state whose values the destination refuses fail first
 * (`refuseInvalidFirstWrites`).
 */
export async function lookupRecords(ctx: RecordRunContext, ledger: RecordLedger): Promise<void> {
  const unkeyed = ledger.open().filter((r) => r.next === null && r.matchKey === undefined);
  ledger.report(unkeyed.map((r) => ({ type: 'settled', ref: r.ref, result: { outcome: 'skipped', code: 'not_found', message: 'Left the source; no match key to find it by.' } })));
  if (ctx.caller.stopped) return;
  await lookupMoved(ctx, ledger);
  refuseInvalidFirstWrites(ctx, ledger, (r) => !upsertsWithoutLookup(ctx, r));
  const requests: LookupRequest[] = [];
  for (const r of ledger.open()) {
    const snapshot = r.next ?? r.entry?.snapshot;
    if (r.found || r.lookupFailure || r.matchKey === undefined || !snapshot || upsertsWithoutLookup(ctx, r)) continue;
    requests.push({ ref: r.ref, snapshot, matchKey: r.matchKey, knownId: r.entry?.destinationId ?? undefined, confirmKnown: r.next === null });
  }
  if (requests.length === 0) return;
  await findAll(
    ctx,
    ledger,
    requests,
    (r, match) => {
      // A record that left the source acts only on the record its state names: another one its key finds (a copy made by people
      // or another tool, the survivor of a merge) is someone else's (fresh reviewer 136, F1: the copy was deleted). Its own, read
      // by id where the destination can (`confirmKnown`), is gone: forgotten, nothing changed (fresh trial 139, F2: refused
      // ambiguous_match on every run, advising to delete the survivor).
      if (match.presumed || !onlyOthers(r, [match.id])) ledger.report([{ type: 'found', ref: r.ref, match }]);
      else if (ctx.destination.lookupLags === true) ledger.report([{ type: 'settled', ref: r.ref, result: othersOnly(ctx, r, [match.id]) }]);
    },
    (r, ids) => {
      if (!onlyOthers(r, ids)) ledger.report([{ type: 'settled', ref: r.ref, result: ambiguous(ctx, ids) }]);
      else if (ctx.destination.lookupLags === true) ledger.report([{ type: 'settled', ref: r.ref, result: othersOnly(ctx, r, ids) }]);
    },
  );
  await lookupByMarkKeys(ctx, ledger);
}

/**
 * A record that left the source whose key finds only other records, at a destination whose
 * lookups lag and cannot read its own record by id (`lookupLags`): its own may not be
 * searchable yet (forgotten, it was never deleted: fresh reviewers 138, F1 and 141, F2), or was
 * deleted or given another key there. Unsure: nothing is changed and it stays tracked.
 */
function othersOnly(ctx: RecordRunContext, r: RecordView, ids: readonly string[]): ResultFields {
  const own = r.entry?.destinationId ?? 'none';
  return {
    outcome: 'failed',
    code: 'ambiguous_match',
    message:
      `Left the source, but its ${ctx.matchKeyLabel} finds only other ${ctx.destinationName} records (${listIds(ids)}), not ${own}, the one this sync wrote, which ${ctx.destinationName}'s search may not show yet. ` +
      `Nothing was changed, and it is still tracked; the next run looks again. If ${own} was deleted or merged away in ${ctx.destinationName}, it stays refused while other records hold its ${ctx.matchKeyLabel}, and they are never written: bring the row back to have it written again.`,
    retryable: false,
    action: 'fail',
  };
}

/** True for a record that left the source whose key found only records other than the one its state names. */
function onlyOthers(r: RecordView, ids: readonly string[]): boolean {
  const own = r.entry?.destinationId;
  return r.next === null && own != null && !ids.includes(own);
}
