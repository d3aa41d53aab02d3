import { z } from 'zod';
import { InputError } from '../errors/sync-error';
import type { PropertyValue, SourceItem } from '../records/types';

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

/**
 * Checks that every mapped column is in the source's header.
 *
 * @throws {@link InputError} `unknown_column`, naming the missing columns and the ones available.
 */
export function checkColumns(mapping: FieldMapping, header: readonly string[]): void {
  const available = new Set(header);
  const missing = [...new Set(mappedColumns(mapping))].filter((c) => !available.has(c));
  if (missing.length > 0) {
    throw new InputError(
      'unknown_column',
      `The source has no column ${missing.map((c) => `"${c}"`).join(', ')}. Columns found: ${header.map((c) => `"${c}"`).join(', ')}.`,
    );
  }
}

function cell(value: unknown): PropertyValue | { invalid: string } {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const trimmed = value.normalize('NFC').trim();
    if (trimmed.includes('\uFFFD')) return { invalid: 'invalid_encoding' };
    return trimmed === '' ? null : trimmed;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? value : { invalid: 'invalid_number' };
  if (typeof value === 'boolean') return value;
  return { invalid: 'unsupported_value' };
}

const INVALID_MESSAGES: Record<string, string> = {
  invalid_encoding: 'is not valid UTF-8 text; re-save the file as UTF-8',
  invalid_number: 'is not a finite number',
  unsupported_value: 'is a nested object or array; map a plain value',
};

/**
 * Turns one source row into a record (or a row error). Strings are NFC-normalised and
 * trimmed; an empty cell becomes `null` (which clears the field in the destination).
 *
 * Row errors: `missing_record_id` (no primary key), `invalid_encoding`, `invalid_number`,
 * `unsupported_value` (naming the column).
 */
export function mapRow(row: Readonly<Record<string, unknown>>, rowNumber: number, mapping: FieldMapping): SourceItem {
  const idValue = cell(row[mapping.idColumn]);
  const id = typeof idValue === 'string' || typeof idValue === 'number' ? String(idValue) : undefined;
  if (idValue !== null && typeof idValue === 'object') {
    return {
      kind: 'error',
      row: rowNumber,
      error: new InputError(idValue.invalid, `Column "${mapping.idColumn}" ${INVALID_MESSAGES[idValue.invalid]}.`),
    };
  }
  if (id === undefined) {
    return {
      kind: 'error',
      row: rowNumber,
      error: new InputError('missing_record_id', `No value in column "${mapping.idColumn}" (the record id); fill it in.`),
    };
  }
  const properties: Record<string, PropertyValue> = {};
  for (const [field, column] of Object.entries(mapping.fields)) {
    const value = cell(row[column]);
    if (value !== null && typeof value === 'object') {
      return {
        kind: 'error',
        row: rowNumber,
        id,
        error: new InputError(value.invalid, `Column "${column}" ${INVALID_MESSAGES[value.invalid]}.`),
      };
    }
    properties[field] = value;
  }
  let groups: string[] = [];
  if (mapping.groupsColumn) {
    const raw = cell(row[mapping.groupsColumn]);
    if (typeof raw === 'string') {
      groups = [
        ...new Set(
          raw
            .split(mapping.groupSeparator ?? ';')
            .map((g) => g.trim())
            .filter((g) => g !== ''),
        ),
      ];
    }
  }
  return { kind: 'record', id, row: rowNumber, snapshot: { properties, groups } };
}
