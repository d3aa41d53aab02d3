import type { Properties, PropertyValue } from './types';

/** True for a value that says nothing: `undefined`, `null` or `""` (an update clears the field). */
export function isEmpty(value: PropertyValue | undefined): boolean {
  return value === undefined || value === null || value === '';
}

/**
 * The properties to send for an update: every mapped property whose value changed between
 * the previous and next snapshot. A property that was set and is now empty (`null` or `""`)
 * maps to `null` ("clear it"); the destination turns `null` into its own way of clearing.
 * Unchanged properties are left out, and so are properties the mapping no longer has
 * (absent from `next`): a field dropped from the mapping is left alone, never cleared.
 */
export function propertyChanges(previous: Properties, next: Properties): Record<string, PropertyValue> {
  const changes: Record<string, PropertyValue> = {};
  for (const key of Object.keys(next)) {
    const before = previous[key];
    const after = next[key];
    if (isEmpty(after)) {
      if (!isEmpty(before)) changes[key] = null;
    } else if (after !== before) {
      changes[key] = after ?? null;
    }
  }
  return changes;
}

/** The non-empty properties of a snapshot: what a create (or a first match) sends. */
export function presentProperties(properties: Properties): Record<string, PropertyValue> {
  const out: Record<string, PropertyValue> = {};
  for (const [key, value] of Object.entries(properties)) if (!isEmpty(value)) out[key] = value;
  return out;
}

/** Groups to join and leave going from `previous` to `next` (both as name lists). */
export function groupChanges(
  previous: readonly string[],
  next: readonly string[],
): { add: string[]; remove: string[] } {
  const before = new Set(previous);
  const after = new Set(next);
  return {
    add: [...after].filter((g) => !before.has(g)),
    remove: [...before].filter((g) => !after.has(g)),
  };
}
