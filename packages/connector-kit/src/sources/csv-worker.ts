/**
 * The CSV worker thread's entry (`dist/csv-worker.js`): reads the file named in its
 * `workerData` with {@link readCsv} and posts its items in batches, at most `ahead` batches
 * before the reader has taken them (each taken batch is answered with one message back).
 * See `readCsvInWorker`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCsv } from './csv-read';
import { toWireError, toWireItem, type CsvWorkerData, type CsvWorkerMessage, type WireItem } from './csv-wire';

const data = workerData as CsvWorkerData;
const port = parentPort as NonNullable<typeof parentPort>;
let credit = data.ahead;
let wake: (() => void) | undefined;
port.on('message', () => {
  credit++;
  wake?.();
  wake = undefined;
});
const post = (message: CsvWorkerMessage) => port.postMessage(message);

async function send(items: WireItem[]): Promise<void> {
  while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
  credit--;
  post({ items });
}

/** Reads the file and posts its items; ends with `done` or `failed`. */
async function readAndPost(): Promise<void> {
  let batch: WireItem[] = [];
  for await (const item of readCsv(data.path, data.mapping, data.options)) {
    batch.push(toWireItem(item));
    if (batch.length === data.batchSize) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await send(batch);
  post({ done: true });
}

readAndPost()
  .catch((error: unknown) => post({ failed: toWireError(error) }))
  .finally(() => {
    // Nothing more comes from the reader: let the thread end once its messages are out.
    port.removeAllListeners('message');
    port.unref();
  });
