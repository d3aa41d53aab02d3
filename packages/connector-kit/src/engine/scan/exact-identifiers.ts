import type { Properties, RecordSnapshot, RecordSource, SourceItem, SourceRecord } from '../../records/types';

/** What a destination makes of a snapshot's identity: its match key and its other identifiers. */
export type IdentityOf = (snapshot: RecordSnapshot) => string;

/**
 * The record with each value normalisation changed (`SourceRecord.exact`) put back as the
 * source wrote it, when the record's identity depends on it: the value the destination is
 * addressed by is sent exactly. Other values stay normalised.
 */
export function withExactIdentifiers(item: SourceRecord, identityOf: IdentityOf): SourceRecord {
  if (!item.exact) return item;
  const { groups } = item.snapshot;
  let properties: Properties = item.snapshot.properties;
  let identity = identityOf(item.snapshot);
  for (const [field, value] of Object.entries(item.exact)) {
    const trial = { ...properties, [field]: value };
    const changed = identityOf({ properties: trial, groups });
    if (changed !== identity) [properties, identity] = [trial, changed];
  }
  return properties === item.snapshot.properties ? item : { ...item, snapshot: { properties, groups } };
}

/**
 * The source with every record's identifiers as the source wrote them (see
 * {@link withExactIdentifiers}). Two destination records whose external ids differ only by
 * Unicode normalisation (`jos\u00e9`, `jose\u0301`) are two people to the vendor: a row
 * holding one of them reaches that one (trial 20a F2: OneSignal, Salesforce and Intercom
 * overwrote the other).
 */
export function exactIdentifiersSource(source: RecordSource, identityOf: IdentityOf): RecordSource {
  return {
    name: source.name,
    async *open(): AsyncGenerator<SourceItem> {
      for await (const item of source.open()) yield item.kind === 'record' ? withExactIdentifiers(item, identityOf) : item;
    },
  };
}
