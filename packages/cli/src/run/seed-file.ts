import { readFileSync } from 'node:fs';
import { UsageError } from '../registry/exit-codes';

/**
 * Reads an emulator seed file (`--seed`): its JSON, parsed. The destination's emulator checks
 * the shape.
 *
 * @param hint - said after the reason (e.g. the seed shape).
 * @throws {@link UsageError} `invalid_seed` naming the file and what to fix: no such file, a
 *   directory, unreadable, or not JSON.
 */
export function readSeedFile(path: string, hint = ''): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'there is no such file' : code === 'EISDIR' ? 'it is a directory, not a file' : code === 'EACCES' ? 'it cannot be read (permissions)' : (error as Error).message;
    throw new UsageError(`Cannot seed the emulator from "${path}": ${why}. Give the path of a JSON seed file.${hint}`, 'invalid_seed');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`Cannot seed the emulator from "${path}": it is not valid JSON (${(error as Error).message}).${hint}`, 'invalid_seed');
  }
}
