import type { PropertyValue } from '../records/types';
import { coerced, refused, type Coerced } from './coerced';

/** Text read as `true` (trimmed, any case). */
export const TRUE_SPELLINGS: readonly string[] = ['true', 'yes', 'y', '1', 'on'];
/** Text read as `false` (trimmed, any case). */
export const FALSE_SPELLINGS: readonly string[] = ['false', 'no', 'n', '0', 'off'];

const TRUE = new Set(TRUE_SPELLINGS);
const FALSE = new Set(FALSE_SPELLINGS);

/**
 * A source value as a boolean: booleans as they are; the numbers 1 and 0; text in
 * {@link TRUE_SPELLINGS} / {@link FALSE_SPELLINGS} (any case). `invalid_boolean` for
 * anything else.
 */
export function toBoolean(value: Exclude<PropertyValue, null>, label: string): Coerced<boolean> {
  if (typeof value === 'boolean') return coerced(value);
  const text = String(value).trim().toLowerCase();
  if (TRUE.has(text)) return coerced(true);
  if (FALSE.has(text)) return coerced(false);
  return refused('invalid_boolean', `${label} must be true or false (or yes/no, y/n, 1/0, on/off).`);
}
