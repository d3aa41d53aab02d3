import { parse } from 'csv-parse/sync';
import type { CsvHeader } from './csv-header';

/** Where a record sits in the file: the lines of its first and last characters. */
export interface LineSpan {
  readonly first: number;
  readonly last: number;
}

/** The lines a record covers, for messages: `Line 7` or `Lines 7–9`. */
export function linesLabel(span: LineSpan): string {
  return span.last > span.first ? `Lines ${span.first}–${span.last}` : `Line ${span.first}`;
}

const LINE_BREAK = /\r\n|\r|\n/;

/** Options of {@link rowProblem}. */
export interface RowCheckOptions {
  readonly delimiter: string;
  readonly header: CsvHeader;
  /** Position of the record-id column in a row. */
  readonly idIndex: number;
  /** Skip the check for quoted values that take in whole rows. */
  readonly trustMultilineValues: boolean;
}

const QUOTE_PROBLEMS: Readonly<Record<string, string>> = {
  CSV_INVALID_CLOSING_QUOTE: 'a quoted value is followed by more text before the next delimiter',
  INVALID_OPENING_QUOTE: 'a value that is not quoted holds a quote',
  CSV_QUOTE_NOT_CLOSED: 'a quote is never closed',
};

/**
 * Reads a record's raw text again with csv-parse in strict quoting mode (the source is read
 * with `relax_quotes`, so that a stray quote cannot make the parser run on across rows).
 * Only records holding a quote character in some value need it.
 */
function quoteProblem(raw: string, options: RowCheckOptions): string | undefined {
  try {
    parse(raw, {
      delimiter: options.delimiter,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      relax_column_count: true,
    });
    return undefined;
  } catch (error) {
    const e = error as { code?: string; column?: unknown };
    const column = typeof e.column === 'number' ? options.header.names[e.column] : undefined;
    const what = QUOTE_PROBLEMS[e.code ?? ''] ?? 'the quotes do not pair up';
    return `${what}${
      column === undefined ? '' : ` (column "${column}")`
    }. Quote the whole value and double every quote inside it (""), or remove a stray quote.`;
  }
}

/**
 * The first line inside a multi-line quoted value that looks like a row of its own: it
 * splits (naively, at every delimiter) into as many values as the header has and has a
 * record id — or one value short of that ({@link shortRow}), or starts with another id shaped
 * like the row's own ({@link idShapedLine}), or is a row written with another delimiter
 * ({@link otherDelimiterRow}), or is only an email address in a row that has one
 * ({@link emailLine}). This is what a stray pair of quotes looks like (a quote opening a value on one
 * row and a later quote closing it merge every row between them into one value), wherever
 * the quote opened: in the row's last value (its first line then splits into a whole row
 * too) or in an earlier one. A genuine multi-line value (an address, a note) rarely has a
 * line with exactly the header's count of delimiters and a value where the id goes. With
 * only two columns a line of a note splits into two values easily: there the record's first
 * line must split into a whole row as well.
 *
 * @returns how many lines after the record's first line that line is, or `undefined`.
 */
function swallowedRow(fields: readonly string[], options: RowCheckOptions): number | undefined {
  const width = options.header.names.length;
  const at = fields.findIndex((f) => LINE_BREAK.test(f));
  if (at < 0 || width < 2) return undefined;
  const segments = (fields[at] as string).split(LINE_BREAK);
  const firstLine = at + (segments[0] as string).split(options.delimiter).length;
  if (firstLine !== width && width < 3) return undefined;
  const later = fields.slice(at + 1);
  const laterHasBreak = later.some((f) => LINE_BREAK.test(f));
  for (let k = 1; k < segments.length; k++) {
    const parts = (segments[k] as string).split(options.delimiter);
    if (k === segments.length - 1) {
      if (laterHasBreak) break;
      parts.push(...later);
    }
    // A whole row's count of values, its id given or not (`,u3@x.com,F3,L3`: fourth trial of stop 27).
    if (parts.length === width && width >= 3) return k;
    if (parts.length === width && (parts[options.idIndex] ?? '').trim() !== '') return k;
    if (shortRow(parts, width, options.idIndex)) return k;
    if (idShapedLine(parts, fields[options.idIndex] ?? '', options.idIndex)) return k;
    if (otherDelimiterRow(segments[k] as string, width, fields[options.idIndex] ?? '', options)) return k;
    if (emailLine(segments[k] as string, fields, at)) return k;
  }
  return undefined;
}

/** Delimiters a damaged row may have been written with instead of the file's. */
const OTHER_DELIMITERS = [',', ';', '\t', '|'];

/**
 * A line that is a row written with another delimiter (`c3;u3@x.com;F3;L3`; third trial of
 * stop 27): split at it, a whole row with an id, or two values or more with another id
 * shaped like the row's own where the id goes ({@link idShapedLine}).
 */
function otherDelimiterRow(line: string, width: number, ownId: string, options: RowCheckOptions): boolean {
  return OTHER_DELIMITERS.some((d) => {
    if (d === options.delimiter || !line.includes(d)) return false;
    const parts = line.split(d);
    return (parts.length === width && /^\S+$/.test((parts[options.idIndex] ?? '').trim())) || (parts.length >= 2 && idShapedLine(parts, ownId, options.idIndex));
  });
}

const EMAIL = /^[^\s@",;|]+@[^\s@",;|]+\.[^\s@",;|]+$/u;
const TOKEN_BREAK = /[\s,;|"]+/u;

/**
 * A line holding an email address, in a row that has an email address in another value
 * (`c2,u2@x.com,F2,"L2` then `u3@x.com"`, `u3@x.com,F3"`, `c3 u3@x.com F3 L3"`: the next row,
 * damaged, merged into the last value; third and fourth trials of stop 27). A note may hold an
 * address too: then the row fails with a message naming `multilineValues: 'trust'` — a row
 * refused is fixed with one option, a row swallowed is someone deleted.
 */
function emailLine(line: string, fields: readonly string[], at: number): boolean {
  return line.split(TOKEN_BREAK).some((token) => EMAIL.test(token)) && fields.some((f, i) => i !== at && EMAIL.test(f.trim()));
}

/**
 * A line one value short of a row, with an id-like value (no spaces) where the id goes: what
 * a row whose quote pairs with a stray one looks like when it lost a value to the merge
 * (`c4,"d@x,Di,D` then `c5",Eve,E`; trial of stop 25). Only with four columns or more — a
 * line of a note splits into two values too easily.
 */
function shortRow(parts: readonly string[], width: number, idIndex: number): boolean {
  return width >= 4 && parts.length === width - 1 && /^\S+$/.test((parts[idIndex] ?? '').trim());
}

/** An id's shape: its runs of digits and of letters, in order (`c2` and `c3` are alike; `1042` and `7`). */
const idShape = (id: string): string => id.replace(/\p{N}+/gu, '9').replace(/\p{L}+/gu, 'a');

/**
 * A line with, where the id goes, another id shaped like the row's own (`c3` in row `c2`,
 * `1043` in row `1042`): a quote opened in one row and closed in the next row's first value
 * (`c2,b@x.com,"B` then `c3",L`; trial of stop 26), or a line holding only that id (`…,"Lb`
 * then `c3"`; second trial), merges the two while the second line no longer looks like a row
 * at all — and sync would delete `c3`. Only
 * ids with a digit: a word where a letters-only id goes is as likely a line of an address.
 */
function idShapedLine(parts: readonly string[], ownId: string, idIndex: number): boolean {
  const own = ownId.trim();
  const candidate = (parts[idIndex] ?? '').trim();
  return /\p{N}/u.test(own) && candidate !== own && /^\S+$/.test(candidate) && idShape(candidate) === idShape(own);
}

/**
 * Checks a record csv-parse read without error (the field count already matches the
 * header): strict quoting, and quoted values that take in whole rows.
 *
 * @returns a message saying what to fix (starting with the line), or `undefined`.
 */
export function rowProblem(fields: readonly string[], raw: string, span: LineSpan, options: RowCheckOptions): string | undefined {
  if (fields.some((f) => f.includes('"'))) {
    const problem = quoteProblem(raw, options);
    if (problem !== undefined) return `${linesLabel(span)}: ${problem}`;
  }
  if (options.trustMultilineValues || span.last === span.first) return undefined;
  const swallowed = swallowedRow(fields, options);
  if (swallowed === undefined) return undefined;
  return (
    `Lines ${span.first}–${span.last} were read as one row: a quoted value opened on line ${span.first} runs to line ${span.last}, ` +
    `and line ${
      span.first + swallowed
    } inside it looks like a row of its own. A quote is probably stray: remove it, or double it ("") inside a quoted value. ` +
    "Nothing is deleted or removed until the file reads cleanly. If the value really holds those lines, read it as it is with multilineValues: 'trust'."
  );
}
