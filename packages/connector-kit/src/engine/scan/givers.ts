import { snapshotHash } from '../../records/snapshot-hash';
import type { RecordSnapshot, RecordSource } from '../../records/types';
import type { StateIndexEntry, StateStore } from '../../state/state-store';

const CHUNK = 5_000;

/** Where the records that gave identifiers up are read from. */
export interface GiverInput {
  readonly source: RecordSource;
  readonly index: ReadonlyMap<string, StateIndexEntry>;
  readonly state: StateStore;
  readonly syncId: string;
  /** A snapshot's normalised match key. */
  readonly keyOf: (snapshot: RecordSnapshot) => string | undefined;
  /** A snapshot's identifiers besides its match key (`identityKeys`, the key left out; none without them). */
  readonly idsOf: (snapshot: RecordSnapshot) => readonly string[];
}

/** Who gave what up: previous match key → record, identifier → record. */
export interface Givers {
  readonly keys: ReadonlyMap<string, string>;
  readonly identities: ReadonlyMap<string, string>;
}

/**
 * For every changed record with state: the match key it had and no longer has, and each
 * identifier it had and its row no longer has, mapped to that record (the first such record per
 * key or identifier). One more pass over the source, with the state entries of the changed
 * records read in chunks of 5,000: run only when the changed records fill several windows, so
 * that a row taking a key or an identifier in one window is checked against a record giving it
 * up in another (twelfth and thirteenth trials of #17: shifts across windows rewrote Contacts
 * with the next person, by `Customer_Id__c` and by Email). Memory: the keys and identifiers
 * that moved off their record.
 */
export async function readGivers(input: GiverInput): Promise<Givers> {
  const keys = new Map<string, string>();
  const identities = new Map<string, string>();
  let batch: { id: string; snapshot: RecordSnapshot }[] = [];
  const flush = async () => {
    const entries = await input.state.get(input.syncId, batch.map((r) => r.id));
    for (const { id, snapshot } of batch) {
      const entry = entries.get(id);
      if (!entry || entry.notFound) continue;
      if (entry.matchKey !== null && entry.matchKey !== input.keyOf(snapshot) && !keys.has(entry.matchKey)) keys.set(entry.matchKey, id);
      const now = new Set(input.idsOf(snapshot));
      for (const k of input.idsOf(entry.snapshot)) if (!now.has(k) && !identities.has(k)) identities.set(k, id);
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
  return { keys, identities };
}
