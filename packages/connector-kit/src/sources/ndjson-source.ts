import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../errors/sync-error';
import { mapRow, type FieldMapping } from '../mapping/field-mapping';
import type { RecordSource, SourceItem } from '../records/types';
import { duplicateKeys, twiceMessage } from './duplicate-keys';
import { parseExactJson } from './exact-json';
import { checkSourceFile, sourceFileError } from './source-file';

/**
 * An NDJSON file (one JSON object per line) as a {@link RecordSource}, streamed line by
 * line. Blank lines are ignored; a line that is not a JSON object, or that has a key twice
 * in one object, fails alone (`invalid_json`). Each record's `row` is its line in the file (1-based, blank lines
 * counted). Numbers are read exactly as in {@link jsonSource} (lossless-json): an id or
 * match key is never rounded.
 *
 * @throws {@link InputError} `file_not_found`, `unreadable_file` (a folder, no read
 *   permission, a read error) or `empty_file` when reading.
 */
export function ndjsonSource(path: string, mapping: FieldMapping): RecordSource {
  return {
    name: path,
    async *open(): AsyncGenerator<SourceItem> {
      if (checkSourceFile(path) === 0) throw new InputError('empty_file', `"${path}" is empty.`);
      const input = createReadStream(path, { encoding: 'utf8' });
      const lines = createInterface({ input, crlfDelay: Infinity });
      let readError: InputError | undefined;
      // A read error (the file removed or made unreadable after the check) ends the lines; it is thrown below.
      input.on('error', (error) => {
        readError = sourceFileError(error, path);
        lines.close();
      });
      let row = 0;
      for await (const text of lines) {
        if (readError) break;
        row++;
        if (text.trim() === '') continue;
        let value: unknown;
        try {
          value = parseExactJson(text);
        } catch (error) {
          // lossless-json (numbers a double cannot hold) refuses a key given twice with another value.
          const key = /^Duplicate key '(.*)' encountered/s.exec((error as Error).message)?.[1];
          yield {
            kind: 'error',
            row,
            error: new InputError('invalid_json', key !== undefined ? twiceMessage(`Line ${row}`, key) : `Line ${row} is not valid JSON.`),
          };
          continue;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          yield {
            kind: 'error',
            row,
            error: new InputError('invalid_json', `Line ${row} is not a JSON object.`),
          };
          continue;
        }
        const twice = duplicateKeys(text, value)[0];
        if (twice) {
          yield { kind: 'error', row, error: new InputError('invalid_json', twiceMessage(`Line ${row}`, twice.key)) };
          continue;
        }
        yield mapRow(value as Record<string, unknown>, row, mapping);
      }
      if (readError) throw readError;
    },
  };
}
