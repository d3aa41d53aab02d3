import type { FoundRecord } from '../../destination/verbs';
import type { SyncError } from '../../errors/sync-error';
import type { RecordResult } from '../../records/outcome';
import type { Properties } from '../../records/types';
import type { OpKey, Plan } from './ledger-record';

/** What a result carries besides the record's id and row (filled in by the ledger). */
export type ResultFields = Omit<RecordResult, 'id' | 'row'>;

/**
 * What an engine step reports about a record. Steps never change records themselves: the
 * ledger applies these events, one at a time, in `reduce`.
 *
 * - `found`: the lookup resolved the record to one destination record;
 * - `claimed`: a record that left the source is held by a current one (`holder`, with the
 *   managed groups state says the holder is in, when it has state; `holderRefused`: the
 *   holder's own row is refused in this run, see `SourceFacts.refused`; `byValues`: the
 *   holder's row carries the record's values under a new key, see `ValueCarriers`; `released`:
 *   that holder was written as a record of its own, so this one is kept and no longer tracked);
 * - `shared`: audiences — other current records share one of the identifiers the record's
 *   state holds (`holders`), and are in `groups`: it must not be removed from those;
 * - `tracked_elsewhere`: a record that left the source, whose destination record other syncs of
 *   the same destination track as in their source (`syncs`, by name): never deleted by this one;
 *   on an audience destination, a record leaving audiences (`groups`) where those syncs' records
 *   still in their source are members with one of its identifiers: never removed from those;
 * - `lookup_failed`: the lookup of a record that left the source failed while a new row with its
 *   values was written in this run: `result` stands unless `claimRecords` releases it (no lookup needed);
 * - `passed_over`: the lookup found only destination records holding another key (`others`), and
 *   none is this record under a new key: someone else's, named in the result of a record left unmatched;
 * - `planned`: the planner's decision;
 * - `missing`: a write found the destination record gone (it is planned again as not found);
 * - `acknowledged`: the destination acknowledged one operation (`write`: the record write,
 *   with the created record's id; `add:<group>` / `remove:<group>`; `keptFor`: a removal not sent, only forgotten,
 *   because those other syncs sharing the state have that membership from their source);
 * - `group_failed`: a group change failed (the record write stands); `unsent`: groups it was to join
 *   whose addition was never sent (the group could not be found or created);
 * - `group_gone`: a removal's group no longer exists in the destination (deleted in the vendor's
 *   UI): nobody is left to remove, so `op` counts as acknowledged, and the result says why (`error`);
 * - `deferred`: a refusal that will clear on a later run (the record stays pending);
 * - `settled`: a final result decided now (lookup, claim, validation or write failure, or a skip);
 * - `marked`: the write-ahead mark was written;
 * - `dispatched`: a call carrying the record write was handed to the destination (a write never
 *   dispatched was not sent: its mark is taken back when the run stops);
 * - `unrecorded`: state could not record an acknowledged change (the run is stopping).
 */
export type RecordEvent =
  | { readonly type: 'found'; readonly ref: number; readonly match: FoundRecord }
  | { readonly type: 'claimed'; readonly ref: number; readonly holder: string; readonly holderGroups?: readonly string[] | undefined; readonly holderRefused?: boolean | undefined; readonly byValues?: boolean | undefined; readonly released?: boolean | undefined }
  | { readonly type: 'shared'; readonly ref: number; readonly holders: readonly string[]; readonly groups: readonly string[]; readonly overlaps?: boolean | undefined }
  | { readonly type: 'tracked_elsewhere'; readonly ref: number; readonly syncs: readonly string[]; readonly groups?: readonly string[] | undefined }
  | { readonly type: 'planned'; readonly ref: number; readonly plan: Plan }
  | { readonly type: 'linked'; readonly ref: number; readonly identities: readonly Properties[] }
  | { readonly type: 'passed_over'; readonly ref: number; readonly others: readonly FoundRecord[] }
  | { readonly type: 'lookup_failed'; readonly ref: number; readonly result: ResultFields }
  | { readonly type: 'missing'; readonly ref: number }
  | { readonly type: 'acknowledged'; readonly ref: number; readonly op: OpKey; readonly id?: string | undefined; readonly existing?: boolean | undefined; readonly madeByOther?: boolean | undefined; readonly keptFor?: readonly string[] | undefined }
  | { readonly type: 'group_failed'; readonly ref: number; readonly error: SyncError; readonly unsent?: readonly string[] | undefined }
  | { readonly type: 'group_gone'; readonly ref: number; readonly op: OpKey; readonly error: SyncError }
  | { readonly type: 'deferred'; readonly ref: number; readonly error: SyncError }
  | { readonly type: 'settled'; readonly ref: number; readonly result: ResultFields; readonly partlyApplied?: boolean | undefined }
  | { readonly type: 'dispatched'; readonly ref: number }
  | { readonly type: 'marked'; readonly ref: number }
  | { readonly type: 'unrecorded'; readonly ref: number; readonly error: SyncError };
