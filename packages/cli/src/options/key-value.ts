import { UsageError } from '../registry/exit-codes';

/**
 * Parses repeated `key=value` flags (`--map Email=Email`, `--option object=Lead`) into an
 * object. The value may contain `=`; surrounding quotes are the shell's business.
 *
 * @throws {@link UsageError} `invalid_pair` for an entry without `=` or with an empty key,
 *   or `duplicate_key` when a key repeats.
 */
export function parsePairs(flag: string, entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const key = at > 0 ? entry.slice(0, at).trim() : '';
    if (key === '') throw new UsageError(`${flag} expects key=value, got "${entry}".`, 'invalid_pair');
    if (key in out) throw new UsageError(`${flag} ${key} is given twice.`, 'duplicate_key');
    out[key] = entry.slice(at + 1).trim();
  }
  return out;
}
