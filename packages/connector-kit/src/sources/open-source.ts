import { extname } from 'node:path';
import { InputError } from '../errors/sync-error';
import type { FieldMapping } from '../mapping/field-mapping';
import type { RecordSource } from '../records/types';
import { csvSource } from './csv-source';
import { jsonSource } from './json-source';
import { ndjsonSource } from './ndjson-source';

/** Source file formats the kit reads. */
export type SourceFormat = 'csv' | 'ndjson' | 'json';

/** The format implied by a file name (`.csv`, `.tsv`, `.ndjson` / `.jsonl`, `.json`). */
export function formatOf(path: string): SourceFormat | undefined {
  switch (extname(path).toLowerCase()) {
    case '.csv':
    case '.tsv':
    case '.txt':
      return 'csv';
    case '.ndjson':
    case '.jsonl':
      return 'ndjson';
    case '.json':
      return 'json';
    default:
      return undefined;
  }
}

/**
 * Opens a source file in the given (or implied) format.
 *
 * @throws {@link InputError} `unknown_format` when the format cannot be told from the name.
 */
export function openSource(path: string, mapping: FieldMapping, format?: SourceFormat): RecordSource {
  const chosen = format ?? formatOf(path);
  switch (chosen) {
    case 'csv':
      return csvSource(path, mapping, extname(path).toLowerCase() === '.tsv' ? { delimiter: '\t' } : {});
    case 'ndjson':
      return ndjsonSource(path, mapping);
    case 'json':
      return jsonSource(path, mapping);
    default:
      throw new InputError('unknown_format', `Cannot tell the format of "${path}": use .csv, .ndjson or .json, or pass --format.`);
  }
}
