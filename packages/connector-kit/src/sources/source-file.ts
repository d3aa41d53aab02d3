import { accessSync, closeSync, constants, openSync, readSync, statSync } from 'node:fs';
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
    case 'ENXIO':
      return new InputError('unreadable_file', `Cannot read "${path}": it is a socket (or a device with nothing behind it), which cannot be opened as a file. Give a file or a pipe.`, { cause: error });
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
 * True when `path` names something that can be read only once, as it comes: a named pipe
 * (FIFO), `/dev/stdin` or a `/dev/fd/N` pipe (`<(command)`), a character device. Such a source
 * is copied to a temporary file as it is read (see `openSource`). False for a regular file, a
 * folder or a path where nothing is.
 */
export function isStreamFile(path: string): boolean {
  try {
    const stat = statSync(path);
    return !stat.isFile() && !stat.isDirectory();
  } catch {
    return false;
  }
}

/**
 * Checks that `path` names a file this process may open for reading, before anything is
 * read (a folder, a missing file or a file without read permission is refused with a clear
 * message instead of a stream error). Never waits: a named pipe is checked for read
 * permission without being opened (opening it would wait for a writer).
 *
 * @returns the file's size in bytes (0 for a pipe or a device: see {@link isStreamFile}).
 * @throws {@link InputError} `file_not_found` or `unreadable_file` (see {@link sourceFileError}).
 */
export function checkSourceFile(path: string): number {
  let size: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw folder(path);
    size = stat.size;
    if (stat.isFile()) closeSync(openSync(path, 'r'));
    else accessSync(path, constants.R_OK);
  } catch (error) {
    throw sourceFileError(error, path);
  }
  const binary = size >= 4 ? binaryFileError(path) : undefined;
  if (binary) throw binary;
  return size;
}

/** `unknown_format` for a regular file that is no text ({@link binaryKind}), saying what it is and what to do; `undefined` otherwise, or when it cannot be read. */
export function binaryFileError(path: string): InputError | undefined {
  try {
    const kind = statSync(path).isFile() ? binaryKind(fileHead(path, 8)) : undefined;
    return kind === undefined ? undefined : new InputError('unknown_format', `"${path}" is ${kind.what}, not a text file: ${kind.todo}.`);
  } catch {
    return undefined;
  }
}

/**
 * What a file that is no text is, from its first bytes (its "magic number"), and what to do:
 * an Excel workbook or another zip archive, an Excel 97–2003 workbook, a gzip file. Read as
 * CSV, its bytes became column names (`PK\x03\x04…`) in an `unknown_column` error (fresh trial
 * 147, F5). https://en.wikipedia.org/wiki/List_of_file_signatures
 */
function binaryKind(head: Buffer): { readonly what: string; readonly todo: string } | undefined {
  const saveAsCsv = 'save it from the spreadsheet as "CSV UTF-8" and give that file';
  if (head.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) return { what: 'a zip archive (an Excel .xlsx workbook, say)', todo: saveAsCsv };
  if (head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) return { what: 'an Excel 97–2003 workbook (.xls)', todo: saveAsCsv };
  if (head[0] === 0x1f && head[1] === 0x8b) return { what: 'gzip-compressed', todo: 'decompress it first (gunzip), or read the decompressed text from a pipe' };
  return undefined;
}

/**
 * The first `bytes` bytes of the file at `path` (fewer when the file is shorter): what the
 * readers peek at before parsing (a UTF-16 byte-order mark, Excel's `sep=` line).
 * @throws the file-system error opening or reading it.
 */
export function fileHead(path: string, bytes: number): Buffer {
  const head = Buffer.alloc(bytes);
  const fd = openSync(path, 'r');
  try {
    return head.subarray(0, readSync(fd, head, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}
