import { InputError } from '../errors/sync-error';

/**
 * A source value converted for a destination field, or why it cannot be: an
 * {@link InputError} with a stable code that fails that record alone, and a message that
 * names the field and the rule but never the value (it may be personal data).
 */
export type Coerced<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: InputError };

/** A successful {@link Coerced}. */
export const coerced = <T>(value: T): Coerced<T> => ({ ok: true, value });

/** A failed {@link Coerced}. */
export const refused = <T = never>(code: string, message: string): Coerced<T> => ({ ok: false, error: new InputError(code, message) });
