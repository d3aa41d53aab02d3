import { createReadStream, statSync } from 'node:fs';
import { parse, type CsvError } from 'csv-parse';
import { InputError } from '../errors/sync-error';
import { checkColumns, mapRow, type FieldMapping } from '../mapping/field-mapping';
import type { RecordSource, SourceItem } from '../records/types';

/** Options of {@link csvSource}. */
export interface CsvSourceOptions {
  /** Field delimiter. Default `,`. */
  readonly delimiter?: string | undefined;
}

/** What a csv-parse error said when it happened (its fields change as parsing goes on). */
interface RowProblem {
  readonly code: string;
  readonly lines: number;
  readonly message: string;
}

function describeCsvError(error: RowProblem): string {
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
      return `Line ${error.lines}: the row has a different number of fields than the header; check for a missing or extra comma.`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `Line ${error.lines}: a quote opened here is never closed, so the rest of the file could not be read; close the quote.`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `Line ${error.lines}: a quote closes in the middle of a field; double quotes inside a quoted field ("").`;
    default:
      return `Line ${error.lines}: ${error.message}`;
  }
}

/**
 * A CSV file as a {@link RecordSource}, streamed with csv-parse: a UTF-8 BOM, quoted
 * fields, embedded newlines and CRLF / LF / CR line endings are handled. The first line is
 * the header. Rows are numbered 1, 2, … in file order (header excluded), malformed ones
 * included; a malformed row becomes a `malformed_row` error on its own.
 *
 * @throws {@link InputError} when reading: `file_not_found`, `empty_file` (0 bytes),
 *   `unknown_column` (a mapped column is missing from the header), `duplicate_column`.
 */
export function csvSource(path: string, mapping: FieldMapping, options: CsvSourceOptions = {}): RecordSource {
  return {
    name: path,
    async *open(): AsyncGenerator<SourceItem> {
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        throw new InputError('file_not_found', `Cannot read "${path}": no such file.`);
      }
      if (size === 0) throw new InputError('empty_file', `"${path}" is empty: expected a header line and rows.`);

      const errors: RowProblem[] = [];
      const parser = createReadStream(path).pipe(
        parse({
          bom: true,
          delimiter: options.delimiter ?? ',',
          record_delimiter: ['\r\n', '\n', '\r'],
          skip_empty_lines: true,
          skip_records_with_error: true,
          info: true,
          columns: (header: string[]) => {
            const names = header.map((h) => h.trim());
            const dup = names.find((n, i) => names.indexOf(n) !== i);
            if (dup !== undefined) throw new InputError('duplicate_column', `The header names column "${dup}" twice.`);
            checkColumns(mapping, names);
            return names;
          },
        }),
      );
      parser.on('skip', (error: CsvError) => errors.push({ code: String(error.code), lines: Number(error.lines), message: error.message }));

      let row = 0;
      const flushErrorsBefore = function* (line: number): Generator<SourceItem> {
        while (errors.length > 0 && (errors[0]?.lines ?? 0) < line) {
          const error = errors.shift() as RowProblem;
          yield { kind: 'error', row: ++row, error: new InputError('malformed_row', describeCsvError(error)) };
        }
      };
      try {
        for await (const chunk of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
          yield* flushErrorsBefore(chunk.info.lines);
          yield mapRow(chunk.record, ++row, mapping);
        }
      } catch (error) {
        if (error instanceof InputError) throw error;
        const e = error as { cause?: unknown };
        if (e.cause instanceof InputError) throw e.cause;
        throw new InputError('unreadable_file', `Cannot read "${path}" as CSV: ${(error as Error).message}`);
      }
      yield* flushErrorsBefore(Number.POSITIVE_INFINITY);
    },
  };
}
