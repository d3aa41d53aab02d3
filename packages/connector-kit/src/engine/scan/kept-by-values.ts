import type { RecordSnapshot, RecordSource } from '../../records/types';
import type { StateIndexEntry, StateStore } from '../../state/state-store';
import { ValueCarriers } from '../steps/value-carriers';

/** What {@link keptByValues} reads. */
export interface KeptByValuesInput {
  readonly source: RecordSource;
  readonly index: ReadonlyMap<string, StateIndexEntry>;
  readonly state: StateStore;
  readonly syncId: string;
  readonly keyOf: (snapshot: RecordSnapshot) => string | undefined;
  readonly identityKeysOf?: ((snapshot: RecordSnapshot) => readonly string[]) | undefined;
}

/**
 * Of the planned deletes `planned`, those a new row of the source carries the values of (a
 * new id with another key and that record's other values: `ValueCarriers.resembledBy`, as the
 * run decides them): the run keeps them (`rekeyed`), so the deletion guard must not count
 * them (third trial of stop 32: people given new ids and new emails, every other value the
 * same, were refused as a mass deletion that the plan never makes). One more pass over the
 * source, reading the rows this sync has no state for; only run when the guard would refuse.
 */
export async function keptByValues(input: KeptByValuesInput, planned: readonly string[]): Promise<Set<string>> {
  const carriers = new ValueCarriers((ids) => input.state.get(input.syncId, ids), planned, input.identityKeysOf);
  const kept = new Set<string>();
  for await (const item of input.source.open()) {
    if (item.kind !== 'record') continue;
    const entry = input.index.get(item.id);
    if (entry !== undefined && entry.notFound !== true) continue;
    for (const id of await carriers.resembledBy(item.snapshot, input.keyOf)) kept.add(id);
    if (kept.size === planned.length) break;
  }
  return kept;
}
