import { readFileSync } from 'node:fs';
import { UsageError } from '../registry/exit-codes';

/**
 * Reads an emulator seed file (`--seed`): its JSON, parsed. The destination's emulator checks
 * the shape.
 *
 * @param hint - said after the reason (e.g. the seed shape).
 * @throws {@link UsageError} `invalid_seed` naming the file and what to fix: no such file, a
 *   directory, unreadable, or not JSON (never quoting the file: it may hold a secret).
 */
export function readSeedFile(path: string, hint = ''): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    throw new UsageError(`Cannot seed the emulator from "${path}": ${READ_PROBLEMS[code] ?? 'it cannot be read'}. Give the path of a JSON seed file.${hint}`, 'invalid_seed');
  }
  try {
    // A byte-order mark (as some editors save) is not part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    // Not the parser's own message: it quotes the file's first characters, which may be a secret (an .env given by mistake).
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new UsageError(`Cannot seed the emulator from "${path}": it is not valid JSON${at === undefined ? '' : ` (at character ${at})`}.${hint}`, 'invalid_seed');
  }
}

/** What a file system error code means for a seed file. */
const READ_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'there is no such file',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EACCES: 'it cannot be read (permissions)',
  EPERM: 'it cannot be read (permissions)',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'the path has a loop of symbolic links',
};
