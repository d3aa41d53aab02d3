/**
 * The CSV worker thread's entry (`dist/csv-worker.js`): reads and checks the rows of the file
 * named in its `workerData` with {@link readCheckedRows} and posts them in batches (the reader
 * maps them), at most `ahead` batches before the reader has taken them (each taken batch is
 * answered with one message back). See `readCsvInWorker`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCheckedRows } from './csv-read';
import { toWireError, WireBatcher, type CsvWorkerData, type CsvWorkerMessage, type WireBatch } from './csv-wire';

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

async function send(batch: WireBatch): Promise<void> {
  while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
  credit--;
  post({ batch });
}

/** Reads the file and posts its items; ends with `done` or `failed`. */
async function readAndPost(): Promise<void> {
  const batcher = new WireBatcher(data.batchSize, data.batchChars);
  for await (const item of readCheckedRows(data.path, data.mapping, data.options)) {
    const full = batcher.add(item);
    if (full) await send(full);
  }
  const rest = batcher.take();
  if (rest.lines.length + rest.failed.length > 0) await send(rest);
  post({ done: true });
}

readAndPost()
  .catch((error: unknown) => post({ failed: toWireError(error) }))
  .finally(() => {
    // Nothing more comes from the reader: let the thread end once its messages are out.
    port.removeAllListeners('message');
    port.unref();
  });
