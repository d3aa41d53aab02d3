import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import type { WorkerJob } from './worker';
import type { BenchEntry } from './types';

/**
 * Writes records `0 … rows-1` of `entry` (version 1, the values the worker would generate)
 * as a CSV file with an `id` column, and returns the worker's `csv` option to read it.
 */
export async function writeBenchCsv(entry: BenchEntry, path: string, rows: number): Promise<NonNullable<WorkerJob['csv']>> {
  const columns = Object.keys(entry.properties(0, 1));
  const out = createWriteStream(path);
  const quote = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  out.write(`id,${columns.join(',')}\n`);
  for (let i = 0; i < rows; i++) {
    const p = entry.properties(i, 1);
    if (!out.write(`p${i},${columns.map((c) => quote(p[c])).join(',')}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { path, mapping: { idColumn: 'id', fields: Object.fromEntries(columns.map((c) => [c, c])) } };
}

/**
 * The raw parse rate of a CSV file: csv-parse (the kit's CSV parser) reading it into one
 * object per row, nothing else — the physical limit of a pass over the same file. Records/s.
 */
export async function rawParseRate(path: string): Promise<{ readonly records: number; readonly recordsPerSec: number }> {
  const started = performance.now();
  let records = 0;
  for await (const _row of createReadStream(path).pipe(parse({ columns: true }))) records++;
  return { records, recordsPerSec: (records / (performance.now() - started)) * 1000 };
}
