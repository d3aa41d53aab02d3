import { UsageError } from '../registry/exit-codes';

/** How each repeated pair flag is written (`--help` says the same); others are `key=value`. */
const FORM: Readonly<Record<string, string>> = { '--map': 'field=column', '--group-id': 'name=id' };

/** 1st, 2nd, 3rd, 4th… 11th, 12th, 13th, 21st… */
function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * Parses repeated `key=value` flags (`--map Email=Email`, `--option object=Lead`) into an
 * object. The value may contain `=`; surrounding quotes are the shell's business. An entry
 * that cannot be read is named by its flag and position, never by its text: an `--option`
 * may hold a secret value (`key:secret` instead of `key=secret`).
 *
 * @throws {@link UsageError} `invalid_pair` for an entry without `=` or with an empty key,
 *   or `duplicate_key` when a key repeats.
 */
export function parsePairs(flag: string, entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  entries.forEach((entry, i) => {
    const at = entry.indexOf('=');
    const key = at > 0 ? entry.slice(0, at).trim() : '';
    if (key === '') {
      const what = at < 0 ? 'has no "=" (it is not shown: it may hold a secret value)' : 'has no key before "="';
      throw new UsageError(`${flag} expects ${FORM[flag] ?? 'key=value'}: the ${ordinal(i + 1)} ${flag} ${what}.`, 'invalid_pair');
    }
    if (key in out) throw new UsageError(`${flag} ${key} is given twice.`, 'duplicate_key');
    out[key] = entry.slice(at + 1).trim();
  });
  return out;
}
