import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from '../errors/sync-error';
import { mapRow, type FieldMapping } from '../mapping/field-mapping';
import type { RecordSource, SourceItem } from '../records/types';

/**
 * An NDJSON file (one JSON object per line) as a {@link RecordSource}, streamed line by
 * line. Blank lines are ignored; a line that is not a JSON object fails alone
 * (`invalid_json`). Rows are numbered by non-blank line.
 *
 * @throws {@link InputError} `file_not_found` or `empty_file` when reading.
 */
export function ndjsonSource(path: string, mapping: FieldMapping): RecordSource {
  return {
    name: path,
    async *open(): AsyncGenerator<SourceItem> {
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        throw new InputError('file_not_found', `Cannot read "${path}": no such file.`);
      }
      if (size === 0) throw new InputError('empty_file', `"${path}" is empty.`);
      const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
      let row = 0;
      let line = 0;
      for await (const text of lines) {
        line++;
        if (text.trim() === '') continue;
        row++;
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          yield { kind: 'error', row, error: new InputError('invalid_json', `Line ${line} is not valid JSON.`) };
          continue;
        }
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          yield { kind: 'error', row, error: new InputError('invalid_json', `Line ${line} is not a JSON object.`) };
          continue;
        }
        yield mapRow(value as Record<string, unknown>, row, mapping);
      }
    },
  };
}
