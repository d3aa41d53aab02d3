import { snapshotHash } from '../../records/snapshot-hash';
import type { RecordSnapshot, RecordSource } from '../../records/types';
import type { StateIndexEntry, StateStore } from '../../state/state-store';

const CHUNK = 5_000;

/** Where the records that gave identifiers up are read from. */
export interface IdentityGiverInput {
  readonly source: RecordSource;
  readonly index: ReadonlyMap<string, StateIndexEntry>;
  readonly state: StateStore;
  readonly syncId: string;
  /** A snapshot's identifiers besides its match key (`identityKeys`, the key left out). */
  readonly idsOf: (snapshot: RecordSnapshot) => readonly string[];
}

/**
 * Identifier → the record that had it in state and whose row in the source no longer has it,
 * for every changed record with state (the first such record per identifier). One more pass
 * over the source, with the state entries of the changed records read in chunks of 5,000: run
 * only when the changed records fill several windows, so that a row taking an identifier in an
 * early window is checked against a record giving it up in a later one (twelfth trial of #17:
 * a shift across windows of 10,000 rewrote a Contact with the next person). Memory: the
 * identifiers that moved off their record.
 */
export async function identityGivers(input: IdentityGiverInput): Promise<Map<string, string>> {
  const givers = new Map<string, string>();
  let batch: { id: string; snapshot: RecordSnapshot }[] = [];
  const flush = async () => {
    const entries = await input.state.get(input.syncId, batch.map((r) => r.id));
    for (const { id, snapshot } of batch) {
      const entry = entries.get(id);
      if (!entry || entry.notFound) continue;
      const now = new Set(input.idsOf(snapshot));
      for (const k of input.idsOf(entry.snapshot)) if (!now.has(k) && !givers.has(k)) givers.set(k, id);
    }
    batch = [];
  };
  for await (const item of input.source.open()) {
    if (item.kind !== 'record') continue;
    const entry = input.index.get(item.id);
    if (!entry || entry.notFound || entry.departed || entry.hash === snapshotHash(item.snapshot)) continue;
    batch.push({ id: item.id, snapshot: item.snapshot });
    if (batch.length >= CHUNK) await flush();
  }
  if (batch.length > 0) await flush();
  return givers;
}
