import { closeSync, openSync, statSync } from 'node:fs';
import { InputError } from '../errors/sync-error';

/**
 * The {@link InputError} for a file-system error met opening or reading the source file at
 * `path`: `file_not_found` (no such file, or a part of the path is a file), else
 * `unreadable_file` (a folder, permission denied, an I/O error), each saying what to fix.
 */
export function sourceFileError(error: unknown, path: string): InputError {
  if (error instanceof InputError) return error;
  const code = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
  switch (code) {
    case 'ENOENT':
      return new InputError('file_not_found', `Cannot read "${path}": no such file.`, { cause: error });
    case 'ENOTDIR':
      return new InputError('file_not_found', `Cannot read "${path}": a part of the path before the file name is a file, not a folder. Check the path.`, { cause: error });
    case 'EISDIR':
      return folder(path);
    case 'EACCES':
    case 'EPERM':
      return new InputError('unreadable_file', `Cannot read "${path}": permission denied. Give the user running syncmodes read access to the file (and its folders).`, { cause: error });
    default: {
      const detail = error instanceof Error ? error.message : String(error);
      return new InputError('unreadable_file', `Cannot read "${path}" (${detail}). Check that the file is still there and can be read.`, { cause: error });
    }
  }
}

function folder(path: string): InputError {
  return new InputError('unreadable_file', `Cannot read "${path}": it is a folder, not a file. Give the path of the CSV, NDJSON or JSON file to read.`);
}

/**
 * Checks that `path` names a regular file this process may open for reading, before
 * anything is read (a folder, a missing file or a file without read permission is refused
 * with a clear message instead of a stream error).
 *
 * @returns the file's size in bytes.
 * @throws {@link InputError} `file_not_found` or `unreadable_file` (see {@link sourceFileError}).
 */
export function checkSourceFile(path: string): number {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw folder(path);
    size = stat.size;
    closeSync(openSync(path, 'r'));
  } catch (error) {
    throw sourceFileError(error, path);
  }
  return size;
}
