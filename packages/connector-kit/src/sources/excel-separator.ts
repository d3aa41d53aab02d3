import { fileHead } from './source-file';

/**
 * Excel's delimiter hint: a first line `sep=;` (any delimiter character, any case of `sep`),
 * which Excel writes into, and reads from, CSV files exported for other locales
 * (https://github.com/PowerShell/PowerShell/issues/7776). Returns the delimiter it names, or
 * `undefined` when the file (UTF-8, a BOM allowed) does not start with one. The line itself is
 * no header: the reader skips it (fresh helper 103, F3: it was read as the header, and every
 * column was reported missing, "Columns found: \"sep=;\"").
 */
export function excelSeparator(path: string): string | undefined {
  // A quote is never a delimiter (the CLI refuses one too): such a line is left to be read as the header.
  const m = /^(?:\uFEFF)?sep=([^\r\n"])(?:\r\n|\n|\r)/i.exec(fileHead(path, 16).toString('utf8'));
  return m?.[1];
}
