import { createReadStream } from 'node:fs';
import { parse, type CsvError, type Options } from 'csv-parse';
import { InputError } from '../errors/sync-error';
import { mappedColumns, mapRow, type FieldMapping } from '../mapping/field-mapping';
import type { SourceItem } from '../records/types';
import { readHeader, type CsvHeader } from './csv-header';
import { LineCounter } from './csv-lines';
import { countMessage, count, malformed } from './csv-row-errors';
import { linesLabel, rowProblem, type LineSpan, type RowCheckOptions } from './csv-row-check';
import { SkippedRows } from './csv-skipped-rows';
import { excelSeparator } from './excel-separator';
import { checkSourceFile, sourceFileError } from './source-file';
import { utf16Of, Utf16ToUtf8 } from './utf16-input';

/**
 * Longest record (row) a CSV source accepts, in characters (16 Mi): a longer one fails alone
 * (`malformed_row`, one entry per file line it covers) and the rest of the file is read.
 * A record still not ended at twice this (almost always a quote that is never closed)
 * stops reading there, with one `malformed_row` for the rest of the file: that bounds the
 * memory one record may take (a few hundred MB).
 */
export const MAX_CSV_RECORD_CHARS = 16 * 1024 * 1024;

/** How many times {@link CsvReadOptions.maxRecordChars} a record may grow while it is read before reading stops. */
const READ_LIMIT_FACTOR = 2;

/** How a CSV file is read: the options of `csvSource` that shape its records. */
export interface CsvReadOptions {
  /** Field delimiter. Default `,`. */
  readonly delimiter?: string | undefined;
  /**
   * `check` (default): a quoted value spanning lines, one of which looks like a whole row,
   * fails the record as `malformed_row` (a stray pair of quotes merges rows). `trust`: skip
   * that check, for files whose multi-line values legitimately look like rows.
   */
  readonly multilineValues?: 'check' | 'trust' | undefined;
  /**
   * Longest record, in characters: a longer one fails alone as `malformed_row`; one not
   * ended at twice this stops reading (see {@link MAX_CSV_RECORD_CHARS}).
   * @defaultValue {@link MAX_CSV_RECORD_CHARS} (16 Mi)
   */
  readonly maxRecordChars?: number | undefined;
}

/** A record as csv-parse hands it over: values, raw text, lines, and the rows skipped before it. */
interface Parsed {
  readonly fields: string[];
  readonly raw: string;
  readonly span: LineSpan;
  readonly skipped: readonly SourceItem[];
  /** Its length in characters, when it is longer than a record may be (its values and text are then dropped). */
  readonly tooLong?: number | undefined;
}

const isBreak = (c: number) => c === 10 || c === 13;

/** A record's length in characters, from its raw text: blank lines before it and its line break do not count. */
function recordLength(raw: string): number {
  let start = 0;
  let end = raw.length;
  while (start < end && isBreak(raw.charCodeAt(start))) start++;
  while (end > start && isBreak(raw.charCodeAt(end - 1))) end--;
  return end - start;
}

function tooLongMessage(span: LineSpan, length: number, max: number): string {
  return (
    `${linesLabel(span)}: the row is ${count(length)} characters long, more than the ${count(max)} a row may have, so it was not read (the rest of the file was). ` +
    'Shorten its values, or check for a stray quote that made one value swallow the rows after it.'
  );
}

/**
 * True when a row has as many values as the header — or one fewer when the header ends with
 * a delimiter (an empty last name, as some exports write it): that column is nobody's.
 */
function fullRow(fields: readonly string[], names: readonly string[]): boolean {
  return fields.length === names.length || (fields.length === names.length - 1 && names.length > 1 && names[names.length - 1] === '');
}

/** csv-parse's options for reading a source file (its `on_skip` aside). */
function parseOptions(delimiter: string, readLimit: number): Options {
  return {
    bom: true,
    delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
    // A stray quote stays a character of its value and each record is checked strictly on
    // its own (see rowProblem): in strict mode csv-parse would read on after a stray quote
    // as if a quoted value went on, across rows.
    relax_quotes: true,
    relax_column_count: false,
    // Shorter rows are read and checked against the header on their own (see fullRow).
    relax_column_count_less: true,
    skip_records_with_error: true,
    max_record_size: readLimit,
    raw: true,
  };
}

/**
 * The csv-parse stream over the file, as {@link Parsed} records in file order: each comes
 * with its lines and the rows skipped just before it; `rest()` holds the rows skipped after
 * the last record. A record longer than `maxChars` comes without its values (`tooLong`). A
 * record still not ended at the read limit (2 × `maxChars`, csv-parse's `max_record_size`)
 * cannot be read on from reliably: reading stops at once (the file is no longer fed to
 * csv-parse, which would otherwise fail again on every later chunk, each time copying what
 * it holds), and `rest()` ends with one error for the rest of the file.
 *
 * csv-parse reports a skipped row (`on_skip`) while it parses, ahead of the records still
 * waiting in its stream; each skip is queued with the number of records csv-parse had
 * accepted before it, and taken in as the reader reaches that record. No `on_record` hook:
 * csv-parse would build a context object for every record (a fifth of the time of reading a
 * million rows, measured with `tools/bench/profile-planner.ts --csv`).
 */
function parseFile(path: string, delimiter: string, maxChars: number, fromLine = 1) {
  const readLimit = maxChars * READ_LIMIT_FACTOR;
  const lines = new LineCounter(fromLine);
  const skipped = new SkippedRows(lines, readLimit);
  /** Records accepted before reading stopped at the read limit (none read after). */
  let stoppedBefore: number | undefined;
  const options: Options = {
    ...parseOptions(delimiter, readLimit),
    // Lines before `fromLine` (Excel's `sep=` line, see `excelSeparator`) are not read.
    ...(fromLine > 1 ? { from_line: fromLine } : {}),
    on_skip: (error: CsvError | undefined, raw: string | undefined): undefined => {
      if (!error || stoppedBefore !== undefined) return undefined;
      skipped.add(parser.info.records, error, raw ?? '');
      if (error.code === 'CSV_MAX_RECORD_SIZE') {
        stoppedBefore = parser.info.records;
        input.unpipe(parser);
        input.destroy();
        file.destroy();
        parser.end();
      }
      return undefined;
    },
  };
  const file = createReadStream(path);
  const utf16 = utf16Of(path);
  const input = utf16 === undefined ? file : file.pipe(new Utf16ToUtf8(utf16));
  const parser = parse(options);
  input.pipe(parser);
  // pipe() does not forward a read error (the file removed or made unreadable after the check): the parser fails with it.
  file.on('error', (error) => parser.destroy(sourceFileError(error, path)));
  async function* records(): AsyncGenerator<Parsed> {
    let accepted = 0;
    try {
      for await (const { record, raw } of parser as AsyncIterable<{ record: string[]; raw: string }>) {
        if (stoppedBefore !== undefined && accepted >= stoppedBefore) break;
        const before = skipped.takeBefore(accepted);
        accepted++;
        if (skipped.headerWidth === 0) skipped.headerWidth = record.length;
        const span = lines.advance(raw);
        const length = raw.length > maxChars ? recordLength(raw) : 0;
        yield length > maxChars ? { fields: [], raw: '', span, skipped: before, tooLong: length } : { fields: record, raw, span, skipped: before };
      }
    } finally {
      // Reading stopped early (the run was interrupted) leaves the file open otherwise, until the process ends.
      input.destroy();
      file.destroy();
    }
  }
  return {
    parser: records(),
    rest: () => skipped.rest(),
  };
}

/**
 * Checks the file can be read and is not empty; returns its size in bytes.
 * @throws {@link InputError} `file_not_found`, `unreadable_file`, `empty_file`.
 */
export function checkCsvFile(path: string): number {
  const size = checkSourceFile(path);
  if (size === 0) throw new InputError('empty_file', `"${path}" is empty: expected a header line and rows.`);
  return size;
}

/** A row read and checked, not yet mapped: the line it starts on and its values, in {@link csvColumns} order. */
export interface CheckedRow {
  readonly kind: 'row';
  readonly line: number;
  readonly values: readonly (string | undefined)[];
}

/** The columns of a {@link CheckedRow}'s values: the mapped columns, each once, in the mapping's order (as the header's `positions`). */
export const csvColumns = (mapping: FieldMapping): string[] => [...new Set(mappedColumns(mapping))];

/**
 * A checked row as a source item: its values (`columns.length` of them in `values` from
 * `offset`) by column, mapped (`mapRow`: a bad value fails the row alone).
 */
export function mapCheckedValues(columns: readonly string[], values: readonly (string | undefined)[], offset: number, line: number, mapping: FieldMapping): SourceItem {
  const byColumn: Record<string, string | undefined> = {};
  for (let i = 0; i < columns.length; i++) byColumn[columns[i] as string] = values[offset + i];
  return mapRow(byColumn, line, mapping);
}

/**
 * A row of empty cells only (`,,` or `  ,  ,  `, of any width): what a spreadsheet writes for a
 * line left empty (Excel exports such lines as delimiters alone). It is no record, as an empty
 * line is none: it failed `missing_record_id`, and the run then deleted nothing (fresh helper
 * 103, F1). A quoted empty value (`""`) is a value someone wrote, not a blank cell.
 */
const blankRow = (parsed: Parsed): boolean => parsed.fields.every((f) => f.trim() === '') && !parsed.raw.includes('"');

/**
 * A row holding the header's names again, in order: what joining exports each with its header
 * makes (`cat a.csv b.csv`). Read as a record, it created a contact named "First Name" with
 * the email "Email" (fresh trial 147, F3).
 */
const headerAgain = (parsed: Parsed, names: readonly string[]): boolean => parsed.fields.length === names.length && parsed.fields.every((f, i) => f.trim() === (names[i] ?? '').trim());

/** A parsed record checked against the header and the quoting rules: its values, or the entries failing its lines (none for a {@link blankRow}). */
function checkRow(parsed: Parsed, checks: RowCheckOptions, maxChars: number): CheckedRow | SourceItem[] {
  if (parsed.tooLong !== undefined) return malformed(parsed.span, tooLongMessage(parsed.span, parsed.tooLong, maxChars));
  if (blankRow(parsed)) return [];
  if (!fullRow(parsed.fields, checks.header.names)) return malformed(parsed.span, countMessage(parsed.span, parsed.fields.length, checks.header.names.length));
  if (headerAgain(parsed, checks.header.names)) return malformed(parsed.span, `${linesLabel(parsed.span)} repeats the header: it is not a record (files joined together, each with its header?). Remove the line.`);
  const problem = rowProblem(parsed.fields, parsed.raw, parsed.span, checks);
  if (problem !== undefined) return malformed(parsed.span, problem);
  const values: (string | undefined)[] = [];
  for (const i of checks.header.positions.values()) values.push(parsed.fields[i]);
  return { kind: 'row', line: parsed.span.first, values };
}

/**
 * Reads the CSV file at `path` as source items, in file order, in the calling thread: what
 * `csvSource` yields (see there for the rules and errors), after {@link checkCsvFile}.
 * @throws {@link InputError} as `csvSource` does.
 */
export async function* readCsv(path: string, mapping: FieldMapping, options: CsvReadOptions = {}): AsyncGenerator<SourceItem> {
  const columns = csvColumns(mapping);
  for await (const item of readCheckedRows(path, mapping, options)) yield item.kind === 'row' ? mapCheckedValues(columns, item.values, 0, item.line, mapping) : item;
}

/**
 * The rows of the CSV file at `path`, read and checked but not mapped ({@link CheckedRow}),
 * and the entries of the rows that failed, in file order: the part of {@link readCsv} a
 * worker thread does (`csv-worker.ts`), the mapping left to the reader.
 * @throws {@link InputError} as `csvSource` does.
 */
export async function* readCheckedRows(path: string, mapping: FieldMapping, options: CsvReadOptions = {}): AsyncGenerator<CheckedRow | SourceItem> {
  checkCsvFile(path);
  const hint = utf16Of(path) === undefined ? excelSeparator(path) : undefined;
  const delimiter = options.delimiter ?? hint ?? ',';
  const maxChars = options.maxRecordChars ?? MAX_CSV_RECORD_CHARS;
  let checks: RowCheckOptions | undefined;
  const { parser, rest } = parseFile(path, delimiter, maxChars, hint === undefined ? 1 : 2);
  try {
    for await (const parsed of parser) {
      if (checks === undefined) {
        if (parsed.tooLong !== undefined) {
          throw new InputError('unreadable_file', `Cannot read the header of "${path}": ${linesLabel(parsed.span)} is ${count(parsed.tooLong)} characters long, more than the ${count(maxChars)} a row may have.`);
        }
        const header: CsvHeader = readHeader(parsed.fields, mapping, path, delimiter);
        const idIndex = header.positions.get(mapping.idColumn) as number;
        checks = {
          delimiter,
          header,
          idIndex,
          trustMultilineValues: options.multilineValues === 'trust',
        };
        continue;
      }
      for (const item of parsed.skipped) yield item;
      const row = checkRow(parsed, checks, maxChars);
      if (Array.isArray(row)) yield* row;
      else yield row;
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError('unreadable_file', `Cannot read "${path}" as CSV: ${(error as Error).message}`);
  }
  const left = rest();
  if (checks === undefined && left.length > 0) {
    const first = left[0] as SourceItem & { kind: 'error' };
    throw new InputError('unreadable_file', `Cannot read the header of "${path}": ${first.error.message}`);
  }
  yield* left;
}
