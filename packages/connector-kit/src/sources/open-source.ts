import { extname } from 'node:path';
import { InputError } from '../errors/sync-error';
import type { FieldMapping } from '../mapping/field-mapping';
import type { RecordSource } from '../records/types';
import { versionCheckedSource } from './version-checked-source';
import { csvSource, MAX_CSV_RECORD_CHARS } from './csv-source';
import { jsonSource } from './json-source';
import { ndjsonSource } from './ndjson-source';
import { openPipeStream } from './pipe-stream';
import { binaryFileError, isStreamFile } from './source-file';
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

/** Options of {@link openSource} for a file. */
export interface FileSourceOptions {
  /**
   * For a file that can be read only once (a named pipe, `/dev/stdin`): when aborted, a read
   * still waiting for its data (a pipe without a writer) ends at once with the signal's reason.
   * Pass the run's `signal`.
   */
  readonly signal?: AbortSignal | undefined;
  /** A CSV source's check of quoted values spanning lines (see `CsvSourceOptions.multilineValues`). Default `check`. */
  readonly multilineValues?: 'check' | 'trust' | undefined;
  /** A CSV source's field delimiter (one character). Default `,`; tab for a `.tsv` file. */
  readonly delimiter?: string | undefined;
}

/** Options of {@link openSource} for a stream. */
export interface StreamSourceOptions extends FileSourceOptions {
  /** What reports call the source. Default `stdin`. */
  readonly name?: string | undefined;
}

const noFormat = (what: string) => new InputError('unknown_format', `Cannot tell the format of ${what}: use .csv, .ndjson or .json, or give openSource its format argument (csv, ndjson or json).`);

/**
 * Opens a source file in the given (or implied) format, or a readable stream (e.g.
 * `process.stdin`) in the given format. A stream, and a file that can be read only once (a
 * named pipe, `/dev/stdin`, a `<(command)` pipe: see `isStreamFile`), is copied to a temporary
 * file as it is first read (see {@link streamSource}: the engine reads its source more than
 * once); call `dispose()` on the result (when it has one) once the run is over.
 *
 * @throws {@link InputError} `unknown_format` when the format cannot be told from the name,
 *   or `format_required` for a stream without a format.
 */
export function openSource(path: string, mapping: FieldMapping, format?: SourceFormat, options?: FileSourceOptions): RecordSource | StreamRecordSource;
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
    return streamSource(input, name, (path) => fileSource(path, path, mapping, format, options), { signal: options.signal, maxLineBytes: maxLineBytes(format), csvQuotes: format === 'csv', jsonDocument: format === 'json' });
  }
  const path = input;
  const chosen = format ?? formatOf(path);
  if (isStreamFile(path)) {
    if (!chosen) throw noFormat(`"${path}" (it can be read only once, as it comes)`);
    return streamSource(() => openPipeStream(path), path, (copy) => fileSource(copy, path, mapping, chosen, options), { signal: options.signal, maxLineBytes: maxLineBytes(chosen), csvQuotes: chosen === 'csv', jsonDocument: chosen === 'json' });
  }
  return versionCheckedSource(fileSource(path, path, mapping, chosen, options), path);
}

/**
 * The longest line a stream of rows may have while it is copied, bytes: 8 bytes for each
 * character a CSV row may have (UTF-8 takes at most 4 a character; a row's quoted line breaks
 * end lines). None for JSON, a document that may be one line.
 */
function maxLineBytes(format: SourceFormat | undefined): number | undefined {
  return format === 'json' ? undefined : 8 * MAX_CSV_RECORD_CHARS;
}

/** The source over the file at `path` in `format`; `named` is the name that tells a TSV file (the file itself, or the pipe it was copied from). */
function fileSource(path: string, named: string, mapping: FieldMapping, format: SourceFormat | undefined, options: FileSourceOptions): RecordSource {
  switch (format) {
    case 'csv':
      return csvSource(path, mapping, { delimiter: options.delimiter ?? (extname(named).toLowerCase() === '.tsv' ? '\t' : undefined), multilineValues: options.multilineValues });
    case 'ndjson':
      return ndjsonSource(path, mapping);
    case 'json':
      return jsonSource(path, mapping);
    default:
      // A workbook or a compressed file says what it is (see `binaryFileError`), rather than "use .csv".
      throw binaryFileError(path) ?? noFormat(`"${path}"`);
  }
}
