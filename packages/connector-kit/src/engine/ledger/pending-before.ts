import { isEmpty } from '../../records/property-diff';
import type { Properties, PropertyValue } from '../../records/types';
import type { StateSnapshot } from '../../state/state-store';

/**
 * The values a write-ahead mark replaces in `base` (the state's snapshot) with `properties`
 * (the mark's): what the destination record still holds if the write never went out. An
 * earlier mark's (`base.before`) come first: they are the last values a run confirmed.
 * Undefined when the mark replaces none.
 */
export function replacedValues(base: StateSnapshot, properties: Properties): Properties | undefined {
  let out: Record<string, PropertyValue> | undefined;
  for (const key in base.properties) {
    const was = base.properties[key] as PropertyValue;
    if (isEmpty(was) || properties[key] === was) continue;
    (out ??= {})[key] = was;
  }
  return base.before === undefined ? out : { ...out, ...base.before };
}

/** `snapshot` with `before` (none when undefined). */
export function withBefore(snapshot: StateSnapshot, before: Properties | undefined): StateSnapshot {
  return before === undefined ? snapshot : { ...snapshot, before };
}

/**
 * What the destination record of a state entry may hold: its snapshot and, for a write-ahead
 * mark that replaced values (`StateSnapshot.before`), the snapshot as it was before that
 * write — the run stopped, and the write may never have gone out.
 */
export function heldVersions(snapshot: StateSnapshot): StateSnapshot[] {
  return snapshot.before === undefined ? [snapshot] : [snapshot, { properties: { ...snapshot.properties, ...snapshot.before }, groups: snapshot.groups }];
}
