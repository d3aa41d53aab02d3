import { readFile } from 'node:fs/promises';
import { InputError } from '../errors/sync-error';
import { mapRow, type FieldMapping } from '../mapping/field-mapping';
import type { RecordSource, SourceItem } from '../records/types';
import { duplicateKeys, twiceMessage } from './duplicate-keys';
import { parseExactJson } from './exact-json';
import { checkSourceFile, sourceFileError } from './source-file';

/**
 * A JSON file holding an array of objects as a {@link RecordSource}. The file is read
 * whole (use NDJSON or CSV for large inputs). An element that is not an object, or that has a key
 * twice in one object, fails alone (`invalid_json`). Each record's `row` is its element's position (1-based). Numbers are
 * read exactly (lossless-json): one a double cannot hold exactly — an integer beyond
 * ±(2^53 − 1), or more significant digits than a double keeps — stays its decimal text, so
 * an id or match key is never rounded.
 *
 * @throws {@link InputError} `file_not_found`, `unreadable_file` (a folder, no read
 *   permission), `empty_file`, or `invalid_json` when the file is not a JSON array.
 */
export function jsonSource(path: string, mapping: FieldMapping): RecordSource {
  return {
    name: path,
    async *open(): AsyncGenerator<SourceItem> {
      checkSourceFile(path);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw sourceFileError(error, path);
      }
      if (text.trim() === '') throw new InputError('empty_file', `"${path}" is empty.`);
      let value: unknown;
      try {
        value = parseExactJson(text);
      } catch (error) {
        throw new InputError('invalid_json', `"${path}" is not valid JSON: ${(error as Error).message}`);
      }
      if (!Array.isArray(value)) throw new InputError('invalid_json', `"${path}" must hold a JSON array of objects.`);
      const twice = new Map(duplicateKeys(text, value).map((d) => [d.element, d.key]));
      let row = 0;
      for (const element of value) {
        row++;
        if (typeof element !== 'object' || element === null || Array.isArray(element)) {
          yield {
            kind: 'error',
            row,
            error: new InputError('invalid_json', `Element ${row} is not a JSON object.`),
          };
          continue;
        }
        const key = twice.get(row - 1);
        if (key !== undefined) {
          yield { kind: 'error', row, error: new InputError('invalid_json', twiceMessage(`Element ${row}`, key)) };
          continue;
        }
        yield mapRow(element as Record<string, unknown>, row, mapping);
      }
    },
  };
}
