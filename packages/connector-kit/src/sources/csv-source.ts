import type { FieldMapping } from '../mapping/field-mapping';
import type { RecordSource } from '../records/types';
import { checkCsvFile, readCsv, type CsvReadOptions } from './csv-read';
import { csvWorkerEntry, readCsvInWorker } from './csv-thread';

export { MAX_CSV_COLUMNS } from './csv-header';
export { MAX_CSV_RECORD_CHARS } from './csv-read';

/** Files of at least this many bytes are read in a worker thread by default (4 MiB: about 40,000 rows of 100 bytes). */
export const CSV_WORKER_MIN_BYTES = 4 * 1024 * 1024;

/** Options of {@link csvSource}. */
export interface CsvSourceOptions extends CsvReadOptions {
  /**
   * Where the file is parsed and mapped. `auto` (default): in a worker thread for a file of
   * at least {@link CSV_WORKER_MIN_BYTES} bytes, beside the planner (an unchanged rerun of a
   * million rows on two cores: 167,870 records/s against 98,971 in the calling thread, see
   * tools/bench/results/BENCH.md; the thread's own heap adds about 40 MB); a smaller
   * file in the calling thread, where starting a thread would cost more than it saves.
   * `worker`: always in a worker thread; `calling`: never. Either way the items, their
   * order and their errors are the same. When the worker thread's file is not beside the
   * kit (the kit bundled into another program), the calling thread reads.
   */
  readonly thread?: 'auto' | 'worker' | 'calling' | undefined;
}

/**
 * An async iterator that runs `start` at its first `next()`, as a generator runs its body:
 * an error starting (the file missing) rejects that `next()` rather than throwing where the
 * iterator is made (`Readable.from(source.open())` emits it as an `error`). Cheaper per item
 * than wrapping the reader in another async generator.
 */
function startedOnNext<T>(start: () => AsyncGenerator<T>): AsyncIterableIterator<T> {
  let inner: AsyncGenerator<T> | undefined;
  let failed = false;
  return {
    next(): Promise<IteratorResult<T>> {
      if (failed) return Promise.resolve({ done: true, value: undefined });
      try {
        inner ??= start();
      } catch (error) {
        failed = true;
        return Promise.reject(error);
      }
      return inner.next();
    },
    return(value?: unknown): Promise<IteratorResult<T>> {
      failed = true;
      return inner ? inner.return(value as T) : Promise.resolve({ done: true, value: value as T });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * A CSV file as a {@link RecordSource}, streamed with csv-parse: UTF-8 (a BOM skipped), or
 * UTF-16 named by its BOM (re-encoded as UTF-8 first, see {@link Utf16ToUtf8}); quoted
 * fields, embedded newlines and CRLF / LF / CR line endings are handled. A first line
 * `sep=;` (Excel's delimiter hint, see `excelSeparator`; UTF-8 files) names the delimiter when
 * `delimiter` is not given, and is skipped. The first line is
 * the header (at most {@link MAX_CSV_COLUMNS} columns). Each record's `row` is the file
 * line it starts on (the header is line 1, so the first data row is normally 2; blank
 * lines and line breaks inside quoted values count), also after malformed rows. Empty lines,
 * and rows of empty cells only (`,,` — what a spreadsheet writes for an empty line), are no
 * records and yield nothing; a row with a quoted empty value (`""`) is a row.
 *
 * A row that cannot be read exactly fails alone as `malformed_row`, with its lines and what
 * to fix — one entry per file line it covers (a stray quote that merged lines 3–5 gives
 * lines 3, 4 and 5 an entry each, every message naming the span) — and **without an id**
 * (its id cannot be trusted, so the run deletes and removes nothing): a wrong number of
 * values; quotes that do not pair up (checked strictly per record); a quoted value spanning
 * lines one of which looks like a whole row (a stray pair of quotes merging rows; see
 * {@link CsvSourceOptions.multilineValues}); a quote never closed (an entry for every line
 * of the rest of the file); a record over {@link MAX_CSV_RECORD_CHARS} characters (an entry
 * for every line it covers; the rest of the file is read), or one still not ended at twice
 * that (one entry, on its first line, for the rest of the file, which is not read).
 *
 * @throws {@link InputError} when reading: `file_not_found`, `empty_file` (0 bytes),
 *   `too_many_columns`, `duplicate_column`, `unknown_column` (a mapped column is missing
 *   from the header), `unreadable_file` (a folder, no read permission, a read error, or no
 *   readable header).
 */
export function csvSource(path: string, mapping: FieldMapping, options: CsvSourceOptions = {}): RecordSource {
  const { thread = 'auto', ...read } = options;
  return {
    name: path,
    open: () =>
      startedOnNext(() => {
        const size = checkCsvFile(path);
        const entry = thread === 'calling' || (thread === 'auto' && size < CSV_WORKER_MIN_BYTES) ? undefined : csvWorkerEntry();
        return entry ? readCsvInWorker(entry, path, mapping, read) : readCsv(path, mapping, read);
      }),
  };
}
