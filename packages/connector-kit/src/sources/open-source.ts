import { extname } from 'node:path';
import { InputError } from '../errors/sync-error';
import type { FieldMapping } from '../mapping/field-mapping';
import type { RecordSource } from '../records/types';
import { csvSource } from './csv-source';
import { jsonSource } from './json-source';
import { ndjsonSource } from './ndjson-source';
import { streamSource, type StreamRecordSource } from './stream-source';

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

/** Options of {@link openSource} for a stream. */
export interface StreamSourceOptions {
  /** What reports call the source. Default `stdin`. */
  readonly name?: string | undefined;
}

/**
 * Opens a source file in the given (or implied) format, or a readable stream (e.g.
 * `process.stdin`) in the given format: a stream is copied to a temporary file when first
 * read (see {@link streamSource}); call `dispose()` on the result once the run is over.
 *
 * @throws {@link InputError} `unknown_format` when the format cannot be told from the name,
 *   or `format_required` for a stream without a format.
 */
export function openSource(path: string, mapping: FieldMapping, format?: SourceFormat): RecordSource;
export function openSource(stream: NodeJS.ReadableStream, mapping: FieldMapping, format: SourceFormat | undefined, options?: StreamSourceOptions): StreamRecordSource;
export function openSource(
  input: string | NodeJS.ReadableStream,
  mapping: FieldMapping,
  format?: SourceFormat,
  options: StreamSourceOptions = {},
): RecordSource | StreamRecordSource {
  if (typeof input !== 'string') {
    const name = options.name ?? 'stdin';
    if (!format) throw new InputError('format_required', `Cannot tell the format of ${name}: give it (csv, ndjson or json).`);
    return streamSource(input, name, (path) => openSource(path, mapping, format));
  }
  const path = input;
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
