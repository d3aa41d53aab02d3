import { readFileSync } from 'node:fs';
import { checkSourceFile, InputError } from '@syncmodes/connector-kit';
import { UsageError } from '../registry/exit-codes';

/**
 * Reads an emulator seed file (`--seed`): its JSON, parsed. The destination's emulator checks
 * the shape. The file is checked as a source file is (`checkSourceFile`: missing, a folder, a
 * path through a file, no permission, each said in words).
 *
 * @param hint - said after the reason (e.g. the seed shape).
 * @throws {@link UsageError} `invalid_seed` naming the file and what to fix: it cannot be read,
 *   or it is not JSON (never quoting the file: it may hold a secret).
 */
export function readSeedFile(path: string, hint = ''): unknown {
  let text: string;
  try {
    checkSourceFile(path);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const why = error instanceof InputError ? error.message : `Cannot read "${path}" (${(error as Error).message}).`;
    throw new UsageError(`Cannot seed the emulator. ${why} Give the path of a JSON seed file.${hint}`, 'invalid_seed');
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

