import { InputError } from '../errors/sync-error';
import { checkColumns, mappedColumns, type FieldMapping } from '../mapping/field-mapping';

/**
 * Most columns a CSV header may have (10,000). Real exports have tens to a few hundred
 * (a Salesforce object has at most 800 custom fields); a header past this is almost
 * certainly not a header (a file without line breaks, the wrong delimiter, a binary file).
 */
export const MAX_CSV_COLUMNS = 10_000;

/** Delimiters a CSV export commonly uses (Excel in many locales writes `;`). */
const COMMON_DELIMITERS = [',', ';', '\t', '|'];

/** Another common delimiter that, splitting the header, gives every mapped column (the file's real delimiter, likely). */
function otherDelimiter(names: readonly string[], mapping: FieldMapping, delimiter: string): string | undefined {
  const wanted = new Set(mappedColumns(mapping));
  return COMMON_DELIMITERS.find((d) => {
    if (d === delimiter) return false;
    const split = new Set(names.flatMap((n) => n.split(d).map((part) => part.trim().replace(/^"(.*)"$/, '$1'))));
    return [...wanted].every((c) => split.has(c));
  });
}

/** A checked header: column names and, for each column the mapping reads, its position. */
export interface CsvHeader {
  readonly names: readonly string[];
  /** Mapped column name → its index in a row. */
  readonly positions: ReadonlyMap<string, number>;
}

/**
 * Checks the header row (in time linear in its length) and finds the mapped columns.
 * Names are trimmed.
 *
 * @throws {@link InputError} `too_many_columns` (more than {@link MAX_CSV_COLUMNS}),
 *   `duplicate_column` (a mapped column's name given twice; unmapped columns named twice, and
 *   columns without a name, are left unread, as Excel
 *   exports end rows with empty ones, fresh reviewer 97 F10), `unknown_column` (a mapped column missing; when
 *   the header read with another common delimiter has every mapped column, the message names it).
 */
export function readHeader(fields: readonly string[], mapping: FieldMapping, path: string, delimiter = ','): CsvHeader {
  if (fields.length > MAX_CSV_COLUMNS) {
    throw new InputError(
      'too_many_columns',
      `The header of "${path}" has ${fields.length.toLocaleString('en-US')} columns; at most ${MAX_CSV_COLUMNS.toLocaleString('en-US')} are read. ` +
        'Check that the first line is the header and that the delimiter is right (use .tsv for tab-separated files).',
    );
  }
  const names = fields.map((f) => f.trim());
  const index = new Map<string, number>();
  const twice = new Set<string>();
  names.forEach((name, i) => {
    // Columns without a name (Excel's trailing `,,` after the last named column) cannot be mapped: left unread, never refused.
    if (name === '') return;
    if (index.has(name)) twice.add(name);
    else index.set(name, i);
  });
  // A name given twice is refused only where it is mapped (which of the two to read cannot be told); other columns are not read (fresh trial 147, F6).
  const ambiguous = mappedColumns(mapping).find((column) => twice.has(column));
  if (ambiguous !== undefined) throw new InputError('duplicate_column', `The header names column "${ambiguous}" twice, and it is mapped: which one to read cannot be told. Give each column its own name.`);
  try {
    checkColumns(mapping, names);
  } catch (error) {
    if (!(error instanceof InputError) || error.code !== 'unknown_column') throw error;
    const other = otherDelimiter(names, mapping, delimiter);
    if (other === undefined) throw error;
    const shown = other === '\t' ? '\\t' : other;
    throw new InputError('unknown_column', `${error.message} The header looks separated by ${other === '\t' ? 'tabs' : `"${other}"`}, not "${delimiter === '\t' ? '\\t' : delimiter}": read the file with delimiter: '${shown}'.`);
  }
  const positions = new Map<string, number>();
  for (const column of mappedColumns(mapping)) positions.set(column, index.get(column) as number);
  return { names, positions };
}
