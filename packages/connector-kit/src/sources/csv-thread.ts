import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors/sync-error';
import type { FieldMapping } from '../mapping/field-mapping';
import type { SourceItem } from '../records/types';
import type { CsvReadOptions } from './csv-read';
import { csvColumns, readCsv } from './csv-read';
import { itemsOf, type CsvWorkerData, type CsvWorkerMessage } from './csv-wire';

/** Rows per message from the worker thread, at most. */
const BATCH_RECORDS = 1000;
/** Characters of values per message, at most (past it the batch goes with fewer rows): wide rows stay a few MB ahead of the reader. */
const BATCH_CHARS = 1024 * 1024;
/** Messages the worker thread may have sent before the reader takes them: bounds what waits in memory (a few thousand records). */
const BATCHES_AHEAD = 4;

/** How to start the CSV worker thread: its file, or the code that loads it. */
interface WorkerEntry {
  readonly file: string;
  /** True when `file` is code to evaluate (see {@link csvWorkerEntry}). */
  readonly eval: boolean;
}

/**
 * The CSV worker thread's file beside this module: `csv-worker.js` in the built package;
 * `csv-worker.ts`, loaded through tsx, when the kit runs from its TypeScript sources (its
 * own tests). Undefined when neither is there — the kit bundled into another program — and
 * the file is then read in the calling thread.
 */
export function csvWorkerEntry(): WorkerEntry | undefined {
  const built = fileURLToPath(new URL('./csv-worker.js', import.meta.url));
  if (existsSync(built)) return { file: built, eval: false };
  const source = new URL('./csv-worker.ts', import.meta.url);
  if (!import.meta.url.endsWith('.ts') || !existsSync(source)) return undefined;
  // Node does not apply `--import tsx` to a worker's own entry: tsx's API registers itself first.
  return { file: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(source.href)}); });`, eval: true };
}

/** The messages of a worker thread as an async queue. */
class Inbox {
  private readonly waiting: CsvWorkerMessage[] = [];
  private wake: (() => void) | undefined;
  private failure: Error | undefined;

  push(message: CsvWorkerMessage): void {
    this.waiting.push(message);
    this.notify();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.notify();
  }

  /** The next message; rejects with the thread's failure once the messages before it are taken. */
  async next(): Promise<CsvWorkerMessage> {
    while (this.waiting.length === 0) {
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.waiting.shift() as CsvWorkerMessage;
  }

  private notify(): void {
    this.wake?.();
    this.wake = undefined;
  }
}

/**
 * Reads the CSV file at `path` with a worker thread, yielding what `readCsv` yields in the
 * calling thread, in the same order and with the same errors (rebuilt as
 * {@link InputError}s with their code and message): the thread parses and checks the rows
 * beside the planner, and this thread maps them (`mapRow`), which balances the two on two
 * cores. At most {@link BATCHES_AHEAD} batches of {@link BATCH_RECORDS} rows wait for the
 * reader (fewer when their values pass {@link BATCH_CHARS} characters). The thread is ended
 * when reading ends, fails or is stopped early (`return()`), and holds the process open only
 * while the reader waits on it. A thread that cannot be made, or fails before its first
 * message (it could not start), leaves the file to the calling thread: nothing was yielded
 * yet, so no row comes twice.
 * @throws {@link InputError} as `csvSource` does; `unreadable_file` when the thread fails
 *   after it began sending rows (its error's message included).
 */
export async function* readCsvInWorker(entry: WorkerEntry, path: string, mapping: FieldMapping, options: CsvReadOptions): AsyncGenerator<SourceItem> {
  const workerData: CsvWorkerData = { path, mapping, options, batchSize: BATCH_RECORDS, batchChars: BATCH_CHARS, ahead: BATCHES_AHEAD };
  let worker: Worker;
  try {
    // No Node options of this process: `--input-type` (a program given with -e) stops the thread from loading its file; the thread needs none.
    worker = new Worker(entry.file, { workerData, eval: entry.eval, execArgv: [] });
  } catch {
    // No thread at all (Node's permission model without --allow-worker: ERR_ACCESS_DENIED): the calling thread reads.
    yield* readCsv(path, mapping, options);
    return;
  }
  const inbox = new Inbox();
  const columns = csvColumns(mapping);
  worker.on('message', (message: CsvWorkerMessage) => inbox.push(message));
  worker.on('error', (error) => inbox.fail(new InputError('unreadable_file', `Cannot read "${path}": the thread reading it failed (${error.message}).`)));
  worker.on('exit', (code) => inbox.fail(new InputError('unreadable_file', `Cannot read "${path}": the thread reading it stopped (exit code ${code}) before the end of the file.`)));
  let heard = false;
  try {
    for (;;) {
      worker.ref();
      const message = await inbox.next().catch((error: unknown) => {
        if (heard) throw error;
        return undefined;
      });
      worker.unref();
      // The thread failed before its first message (it could not start: a sandbox without threads, a Node build that refuses its file): the calling thread reads instead.
      if (message === undefined) break;
      heard = true;
      if ('done' in message) return;
      if ('failed' in message) throw new InputError(message.failed.code, message.failed.message);
      worker.postMessage(1);
      yield* itemsOf(message.batch, columns, mapping);
    }
  } finally {
    await worker.terminate();
  }
  yield* readCsv(path, mapping, options);
}
