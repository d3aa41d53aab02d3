import { isEmpty } from '../../records/property-diff';
import type { Properties, PropertyValue } from '../../records/types';
import type { StateSnapshot } from '../../state/state-store';

/** Versions a mark keeps besides its own: the last confirmed one and the latest before it (8: eight failed runs in a row). */
const MAX_VERSIONS = 8;

/**
 * The `before` of a write-ahead mark setting `properties` on `base` (the state's snapshot):
 * `base`'s own versions, each completed with the values this mark replaces (they held those),
 * then the values this mark replaces (`base` itself: an earlier mark may have been applied and
 * never confirmed — fresh reviewer 121, F3), then, when the write clears fields (`setting`'s
 * empty values: the mark keeps what it clears), the record with them cleared (the write
 * applied — fresh reviewer 122, F2). A value that was empty is kept as `null`: the record may
 * hold nothing there (F1: an unsent update that filled a field). At most
 * {@link MAX_VERSIONS}: the first (the last confirmed values) and the latest. Undefined when
 * the mark changes nothing and `base` has no versions.
 */
export function replacedValues(base: StateSnapshot, properties: Properties, setting: Properties = {}): readonly Properties[] | undefined {
  let out: Record<string, PropertyValue> | undefined;
  for (const key in properties) {
    const was = base.properties[key];
    if (was === properties[key] || (isEmpty(was) && isEmpty(properties[key]))) continue;
    (out ??= {})[key] = isEmpty(was) ? null : (was as PropertyValue);
  }
  let cleared: Record<string, PropertyValue> | undefined;
  for (const key in setting) if (isEmpty(setting[key]) && !isEmpty(properties[key])) (cleared ??= {})[key] = null;
  if (out === undefined && cleared === undefined) return base.before;
  const replaced = out ?? {};
  const versions = [...(base.before ?? []).map((v) => ({ ...replaced, ...v })), ...(out ? [out] : []), ...(cleared ? [{ ...cleared }] : [])];
  return versions.length <= MAX_VERSIONS ? versions : [versions[0] as Properties, ...versions.slice(versions.length - MAX_VERSIONS + 1)];
}

/** The properties a write-ahead mark setting `setting` on `properties` clears: empty in `setting`, kept by the mark (see `StateSnapshot.cleared`). */
export function clearedFields(properties: Properties, setting: Properties): readonly string[] | undefined {
  const out = Object.keys(setting).filter((key) => isEmpty(setting[key]) && !isEmpty(properties[key]));
  return out.length === 0 ? undefined : out;
}

/** `snapshot` with `cleared` (none when undefined). */
export function withCleared(snapshot: StateSnapshot, cleared: readonly string[] | undefined): StateSnapshot {
  return cleared === undefined ? snapshot : { ...snapshot, cleared };
}

/** What a state entry's row said last: its snapshot's properties, for a write-ahead mark with the fields its write clears emptied. */
export function sentValues(snapshot: StateSnapshot): Properties {
  if (snapshot.cleared === undefined) return snapshot.properties;
  const out: Record<string, PropertyValue> = { ...snapshot.properties };
  for (const key of snapshot.cleared) out[key] = null;
  return out;
}

/** `snapshot` with `before` (none when undefined). */
export function withBefore(snapshot: StateSnapshot, before: readonly Properties[] | undefined): StateSnapshot {
  return before === undefined ? snapshot : { ...snapshot, before };
}

/**
 * What the destination record of a state entry may hold: its snapshot and, for a write-ahead
 * mark (`StateSnapshot.before`), each earlier version — the run stopped, and the pending
 * write (or an earlier one) may never have gone out.
 */
export function heldVersions(snapshot: StateSnapshot): StateSnapshot[] {
  if (snapshot.before === undefined) return [snapshot];
  return [snapshot, ...snapshot.before.map((v) => ({ properties: { ...snapshot.properties, ...v }, groups: snapshot.groups }))];
}

/** Every non-repeated (name, value) a state entry's record may hold: its snapshot's, then those only an earlier version has. */
export function* heldValues(snapshot: StateSnapshot): Generator<readonly [string, PropertyValue]> {
  for (const name in snapshot.properties) yield [name, snapshot.properties[name] as PropertyValue];
  for (const version of snapshot.before ?? []) {
    for (const name in version) if (version[name] !== snapshot.properties[name]) yield [name, version[name] as PropertyValue];
  }
}
