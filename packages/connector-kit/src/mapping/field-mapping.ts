import { groupName } from '../records/group-name';
import { z } from 'zod';
import { InputError } from '../errors/sync-error';
import { isSpreadsheetExponent, spreadsheetExponentError } from '../values/spreadsheet-exponent';
import type { PropertyValue, SourceItem, SourceRowError } from '../records/types';

/**
 * How source columns become a record: which column is the primary key, which columns
 * feed which destination fields, and which column lists the record's groups.
 */
export const fieldMappingSchema = z.object({
  /** Source column holding the record's primary key (e.g. `Customer Id`). */
  idColumn: z.string().min(1).describe('Source column holding the primary key.'),
  /** Destination field → source column. */
  fields: z.record(z.string().min(1), z.string().min(1)).describe('Destination field → source column.'),
  /** Source column with the record's group names. */
  groupsColumn: z.string().min(1).optional().describe('Source column with group names.'),
  /** Separator between group names. Default `;`. */
  groupSeparator: z.string().min(1).default(';').describe('Separator between group names.'),
});

/** See {@link fieldMappingSchema}. */
export type FieldMapping = z.input<typeof fieldMappingSchema>;

/** Columns the mapping reads. */
export function mappedColumns(mapping: FieldMapping): string[] {
  return [mapping.idColumn, ...Object.values(mapping.fields), ...(mapping.groupsColumn ? [mapping.groupsColumn] : [])];
}

/** Most column names an `unknown_column` message lists. */
const LISTED_COLUMNS = 20;

/**
 * Checks that every mapped column is in the source's header.
 *
 * @throws {@link InputError} `unknown_column`, naming the missing columns and (up to 20 of)
 *   the ones available.
 */
export function checkColumns(mapping: FieldMapping, header: readonly string[]): void {
  const available = new Set(header);
  const missing = [...new Set(mappedColumns(mapping))].filter((c) => !available.has(c));
  if (missing.length > 0) {
    // Unnamed columns (Excel's trailing ones) are left out of the list: they cannot be mapped.
    const named = header.filter((c) => c !== '');
    const listed = named
      .slice(0, LISTED_COLUMNS)
      .map((c) => `"${c}"`)
      .join(', ');
    const more = named.length > LISTED_COLUMNS ? ` and ${named.length - LISTED_COLUMNS} more` : '';
    throw new InputError('unknown_column', `The source has no column ${missing.map((c) => `"${c}"`).join(', ')}. Columns found: ${listed}${more}.`);
  }
}

/**
 * Never part of a record id: C0 controls, DEL, C1 controls (U+0080–U+009F: CSI, NEL…), the
 * line and paragraph separators, and the bidirectional formatting characters (an id holding
 * U+202E showed the rest of its cell reversed in the HTML report: trial 20b N2).
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A character at or above U+0080: the text may not be NFC yet. */
const NOT_ASCII = /[\u0080-\uffff]/;

function cell(value: unknown): PropertyValue | { invalid: string } {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    // ASCII is its own NFC form: skipping normalize() there halves the cost of a million rows' cells.
    const trimmed = (NOT_ASCII.test(value) ? value.normalize('NFC') : value).trim();
    if (trimmed.includes('\uFFFD')) return { invalid: 'invalid_encoding' };
    if (trimmed.includes('\u0000')) return { invalid: 'invalid_value' };
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : { invalid: 'invalid_number' };
  if (typeof value === 'boolean') return value;
  return { invalid: 'unsupported_value' };
}

const INVALID_MESSAGES: Record<string, string> = {
  invalid_encoding: 'is not valid UTF-8 text; re-save the file as UTF-8',
  invalid_number: 'is not a finite number',
  invalid_value: 'holds a NUL character (\\u0000), which no destination stores; remove it',
  unsupported_value: 'is a nested object or array; map a plain value',
};

/**
 * The record id in a row's id cell, or the error that fails the row (never with an id: an
 * id that cannot be read exactly must not count as present, or as departed).
 */
function recordId(value: unknown, rowNumber: number, column: string, noun: string): string | SourceRowError {
  const idValue = cell(value);
  const fail = (code: string, message: string): SourceRowError => ({
    kind: 'error',
    row: rowNumber,
    id: undefined,
    error: new InputError(code, message),
  });
  if (idValue !== null && typeof idValue === 'object') {
    return fail(
      idValue.invalid === 'invalid_value' ? 'invalid_id' : idValue.invalid,
      `${noun} "${column}" (the record id) ${INVALID_MESSAGES[idValue.invalid]}.`,
    );
  }
  if (idValue === null) {
    return fail('missing_record_id', `No value in ${noun.toLowerCase()} "${column}" (the record id); fill it in.`);
  }
  if (typeof idValue === 'boolean') {
    // A JSON true or false: a value, not a missing one, but no record's id (trial 20b, low: "no value … fill it in").
    return fail('invalid_id', `${noun} "${column}" (the record id) is ${idValue}, a JSON boolean; ids are text or numbers. Fix the id.`);
  }
  const id = String(idValue);
  // `4.479E+11`: a spreadsheet's view of a long id, standing for several (fresh trial 147 F1, for ids).
  if (typeof idValue === 'string' && isSpreadsheetExponent(id)) {
    const { code, message } = spreadsheetExponentError(`${noun} "${column}" (the record id)`);
    return fail(code, message);
  }
  if (CONTROL.test(id)) {
    return fail(
      'invalid_id',
      `${noun} "${column}" (the record id) holds a control character (a NUL, tab, line break, bidirectional override or the like); ids must be plain text. Fix the id.`,
    );
  }
  return id;
}

/**
 * Turns one source row into a record (or a row error). Strings are NFC-normalised and
 * trimmed (the values normalisation changed are kept as written in `exact`); an empty cell
 * becomes `null` (which clears the field in the destination).
 * Numbers come as the source gave them (a JSON source keeps a number that a double cannot
 * hold exactly as its exact decimal text).
 *
 * Row errors, each naming the column: without an id, `missing_record_id` (no primary key)
 * `invalid_id` (a control character such as NUL, tab or a line break in the id, or an
 * id that is not plain text) and `scientific_notation` (an id a spreadsheet wrote as
 * `4.479E+11`: see `isSpreadsheetExponent`); with the id, `invalid_encoding`, `invalid_number`,
 * `invalid_value` (a NUL character in a value or group name) and `unsupported_value`.
 *
 * @param rowNumber the record's `row` (see {@link SourceRecord.row}).
 * @param noun what messages call a column (`Column` for files; `Property` for records held in memory).
 */
export function mapRow(row: Readonly<Record<string, unknown>>, rowNumber: number, mapping: FieldMapping, noun = 'Column'): SourceItem {
  const id = recordId(row[mapping.idColumn], rowNumber, mapping.idColumn, noun);
  if (typeof id !== 'string') return id;
  const properties: Record<string, PropertyValue> = {};
  let exact: Record<string, PropertyValue> | undefined;
  for (const [field, column] of Object.entries(mapping.fields)) {
    const written = row[column];
    const value = cell(written);
    if (value !== null && typeof value === 'object') {
      return {
        kind: 'error',
        row: rowNumber,
        id,
        error: new InputError(value.invalid, `${noun} "${column}" ${INVALID_MESSAGES[value.invalid]}.`),
      };
    }
    properties[field] = value;
    if (typeof written === 'string' && value !== null && written.trim() !== value) (exact ??= {})[field] = written.trim();
  }
  let groups: string[] = [];
  if (mapping.groupsColumn) {
    const raw = cell(row[mapping.groupsColumn]);
    if (raw !== null && typeof raw === 'object') {
      return {
        kind: 'error',
        row: rowNumber,
        id,
        error: new InputError(raw.invalid, `${noun} "${mapping.groupsColumn}" ${INVALID_MESSAGES[raw.invalid]}.`),
      };
    }
    if (typeof raw === 'string') {
      groups = [
        ...new Set(
          raw
            .split(mapping.groupSeparator ?? ';')
            .map(groupName)
            .filter((g) => g !== ''),
        ),
      ];
    }
  }
  return {
    kind: 'record',
    id,
    row: rowNumber,
    snapshot: { properties, groups },
    ...(exact ? { exact } : {}),
  };
}
