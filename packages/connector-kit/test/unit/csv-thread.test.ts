import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { csvSource, type SyncError, type CsvSourceOptions, type FieldMapping, type SourceItem } from '../../src/index';
import { readCsvInWorker } from '../../src/sources/csv-thread';
import { WireBatcher } from '../../src/sources/csv-wire';
import { excelSeparator } from '../../src/sources/excel-separator';

// A CSV file read in a worker thread (#14: the parse beside the planner) gives what the
// calling thread gives: the same items, in the same order, with the same errors.

const dir = mkdtempSync(join(tmpdir(), 'syncmodes-csv-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string | Buffer) => {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, content);
  return path;
};
const mapping: FieldMapping = { idColumn: 'id', fields: { Email: 'email', Name: 'name' } };
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `${from + k},p${from + k}@x.example,Person ${from + k}`);

/** Everything a reader can observe of an item, the error's class included. */
const observed = (item: SourceItem) =>
  item.kind === 'record' ? item : { ...item, error: { class: item.error.constructor.name, code: item.error.code, message: item.error.message, retryable: item.error.retryable } };

/** The items of the file read in `thread`, or the error reading threw. */
async function readIn(thread: 'calling' | 'worker', path: string, options: CsvSourceOptions, map: FieldMapping) {
  const items: unknown[] = [];
  try {
    for await (const item of csvSource(path, map, { ...options, thread }).open()) items.push(observed(item));
    return { items };
  } catch (error) {
    const e = error as SyncError;
    return { items, thrown: { class: e.constructor.name, code: e.code, message: e.message } };
  }
}

/** Reads the file in both threads, expects the same, and returns it. */
async function both(path: string, options: CsvSourceOptions = {}, map: FieldMapping = mapping) {
  const calling = await readIn('calling', path, options, map);
  const worker = await readIn('worker', path, options, map);
  expect(worker).toEqual(calling);
  return calling;
}

/** Open file descriptors of this process on `path` (Linux). */
const openOn = (path: string) =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;

describe('a CSV file read in a worker thread gives what the calling thread gives', () => {
  it('records and malformed rows alike: quotes, merged rows, wrong counts, blank lines, line endings, bad values, groups', async () => {
    const lines = ['id,email,name,groups', '1," p1@x.example ",Zoe\u0308,VIP;Trial;VIP', '2,p2@x.example,"Two', 'lines",', '', '3,p3@x.example', '4,p4@x.example,Four,,extra'];
    lines.push('5,p5@x.example,"Person 5', '6,p6@x.example,Person 6",', '7,p7@x.example,Null\u0000Name,', '\u00858,p8@x.example,Eight,', ',p9@x.example,Nine,', '10,p10@x.example,Ten"quote,');
    const groups = { ...mapping, groupsColumn: 'groups' };
    const crlf = await both(file('\uFEFF' + lines.join('\r\n') + '\r\n'), {}, groups);
    expect(crlf.thrown).toBeUndefined();
    const brief = crlf.items.map((i) => (i as SourceItem)).map((i) => `${i.row}:${i.kind === 'record' ? i.id : i.error.code}`);
    expect(brief).toEqual(['2:1', '3:2', '6:malformed_row', '7:malformed_row', '8:malformed_row', '9:malformed_row', '10:invalid_value', '11:invalid_id', '12:missing_record_id', '13:malformed_row']);
    await both(file(lines.join('\r')), {}, groups);
    await both(file(lines.join('\n')), { multilineValues: 'trust' }, groups);
  });

  // Fresh helper 103, F1: a row of empty cells (`,,`, what Excel writes for an empty line) failed missing_record_id, and
  // the run then deleted nothing. It is no record, as an empty line is none; a quoted empty value is still a row.
  it('rows of empty cells only, of any width, are no records; a row with a quoted empty value is', async () => {
    const read = await both(file(['id,email,name', '1,a@x.example,A', ',,', '  ,  ,  ', ',', '2,b@x.example,B', '"","",""', ',,', ''].join('\r\n')));
    expect(read.thrown).toBeUndefined();
    expect(read.items.map((i) => (i as SourceItem)).map((i) => `${i.row}:${i.kind === 'record' ? i.id : i.error.code}`)).toEqual(['2:1', '6:2', '7:missing_record_id']);
  });

  // Fresh helper 103, F3: Excel's `sep=;` first line was read as the header ("Columns found: \"sep=;\"").
  it('a first line sep=; names the delimiter and is skipped (rows keep their file lines); a given delimiter wins', async () => {
    const brief = (r: Awaited<ReturnType<typeof both>>) => r.items.map((i) => (i as SourceItem)).map((i) => `${i.row}:${i.kind === 'record' ? i.id : i.error.code}`);
    for (const [text, options] of [
      ['sep=;\nid;email;name\n1;a@x.example;A\n2;b@x.example;B\n', {}],
      ['\uFEFFSEP=;\r\nid;email;name\r\n1;a@x.example;A\r\n2;b@x.example;B\r\n', {}],
      ['sep=,\nid;email;name\n1;a@x.example;A\n2;b@x.example;B\n', { delimiter: ';' }],
      ['sep=\t\nid\temail\tname\n1\ta@x.example\tA\n2\tb@x.example\tB\n', {}],
    ] as const) {
      const read = await both(file(text), options);
      expect(read.thrown).toBeUndefined();
      expect(brief(read)).toEqual(['3:1', '4:2']);
    }
    // A quote is never a delimiter: such a first line is no hint.
    expect(excelSeparator(file('sep="\nid,email,name\n'))).toBeUndefined();
    expect(excelSeparator(file('sep=|\r\nid|email|name\r\n'))).toBe('|');
  });

  it('a quote never closed, a record too long, one never ended: the same entries and the same stop', async () => {
    await both(file(['id,email,name', ...rows(1, 5), '6,p6@x.example,"open', ...rows(7, 9)].join('\n')));
    await both(file(['id,email,name', ...rows(1, 3), `4,p4@x.example,${'x'.repeat(80)}`, ...rows(5, 6)].join('\n')), { maxRecordChars: 60 });
    await both(file(['id,email,name', ...rows(1, 3), `4,p4@x.example,"${'x\n'.repeat(90)}`, ...rows(5, 6)].join('\n')), { maxRecordChars: 60 });
  });

  it('UTF-16 in both byte orders, other delimiters, a header ending with a delimiter', async () => {
    const text = ['id,email,name', ...rows(1, 4), '5,p5@x.example,"Zoë ✓"'].join('\r\n');
    const le = await both(file(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])));
    expect(le.items).toHaveLength(5);
    const be = Buffer.from(text, 'utf16le').swap16();
    await both(file(Buffer.concat([Buffer.from([0xfe, 0xff]), be])));
    await both(file(['id;email;name', '1;a@x.example;A', '2;b@x.example'].join('\n')), { delimiter: ';' });
    await both(file(['id\temail\tname', '1\ta@x.example\tA'].join('\n')), { delimiter: '\t' });
    await both(file(['id,email,name,', '1,a@x.example,A', '2,b@x.example,B,'].join('\n')));
  });

  it('files it refuses: the same code and message, thrown when reading starts', async () => {
    const refused = [
      await both(file('')),
      await both(join(dir, 'missing.csv')),
      await both(file('id,email,email\n1,a,b\n')),
      await both(file('id,mail,name\n1,a,b\n')),
      await both(file('id;email;name\n1;a;b\n')),
      await both(file(`id,email,name${'x'.repeat(100)}\n1,a,b\n`), { maxRecordChars: 60 }),
      await both(file('id,email,"name\n1,a,b\n')),
    ];
    mkdirSync(join(dir, 'folder.csv'));
    refused.push(await both(join(dir, 'folder.csv')));
    expect(refused.map((r) => [r.items.length, r.thrown?.code])).toEqual([
      [0, 'empty_file'],
      [0, 'file_not_found'],
      [0, 'duplicate_column'],
      [0, 'unknown_column'],
      [0, 'unknown_column'],
      [0, 'unreadable_file'],
      [0, 'unreadable_file'],
      [0, 'unreadable_file'],
    ]);
  });

  it('many batches: rows failing at the batch edges stay in place, and every row is there once', async () => {
    const lines = ['id,email,name', ...rows(1, 5200)];
    for (const at of [999, 1000, 1001, 2000, 4096]) lines[at] = `${at},"unclosed,x`;
    lines.splice(3000, 0, '', '');
    const read = await both(file(lines.join('\n') + '\n5201,p5201@x.example,"never closed'));
    expect(read.items).toHaveLength(5201);
    expect(read.items.map((i) => (i as SourceItem).row)).toEqual([...Array.from({ length: 3000 - 1 }, (_, k) => k + 2), ...Array.from({ length: 2202 }, (_, k) => k + 3001 + 2)]);
  });
});

describe('a reader that stops early', () => {
  it('ends the thread and closes the file (a run interrupted while reading), in either thread', async () => {
    const path = file(['id,email,name', ...rows(1, 100_000)].join('\n'));
    for (const thread of ['calling', 'worker'] as const) {
      let taken = 0;
      for await (const _ of csvSource(path, mapping, { thread }).open()) if (++taken === 1500) break;
      await expect.poll(() => openOn(path), { timeout: 5000 }).toBe(0);
    }
  });

  it('dropped without return(): the worker thread does not hold the process open', () => {
    const path = file(['id,email', ...Array.from({ length: 50_000 }, (_, k) => `${k},p${k}@x.example`)].join('\n'));
    const fixture = fileURLToPath(new URL('../fixtures/csv-thread-dropped.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@syncmodes/source', fixture, path], { encoding: 'utf8', timeout: 30_000 });
    expect(run.signal, 'still running after 30 s').toBeNull();
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'record', id: '0', row: 2 });
  });
});

describe('a worker thread that cannot start', () => {
  it('leaves the file to the calling thread: the same items, nothing lost', async () => {
    const path = file(['id,email,name', ...rows(1, 2500), '2501,p2501@x.example,"never closed'].join('\n'));
    const items: unknown[] = [];
    for await (const item of readCsvInWorker({ file: join(dir, 'no-such-worker.js'), eval: false }, path, mapping, {})) items.push(observed(item));
    expect(items).toEqual((await readIn('calling', path, {}, mapping)).items);
    expect(items).toHaveLength(2501);
  });
});

describe('a worker thread that cannot even be made', () => {
  it('(Node refusing it at once, as its permission model does without --allow-worker) leaves the file to the calling thread', async () => {
    const path = file(['id,email,name', ...rows(1, 30)].join('\n'));
    const items: unknown[] = [];
    // A relative path that does not start with ./ makes new Worker() throw at once (ERR_WORKER_PATH).
    for await (const item of readCsvInWorker({ file: 'no-such-worker.js', eval: false }, path, mapping, {})) items.push(observed(item));
    expect(items).toEqual((await readIn('calling', path, {}, mapping)).items);
  });
});

describe('batches of wide rows', () => {
  it('go once their values pass 1 Mi characters, with fewer than 1,000 rows: what waits for the reader stays a few MB', () => {
    const batcher = new WireBatcher(1000, 1024 * 1024);
    const wide = 'x'.repeat(100_000);
    const sizes: number[] = [];
    for (let line = 2; line < 52; line++) {
      const full = batcher.add({ kind: 'row', line, values: ['1', wide] });
      if (full) sizes.push(full.lines.length);
    }
    expect(sizes).toEqual([11, 11, 11, 11]);
    expect(batcher.take().lines).toHaveLength(6);
  });
});

describe('a missing file', () => {
  for (const thread of ['calling', 'worker'] as const) {
    it(`fails at the first read, not where the reader is made (${thread}): a stream made from it emits file_not_found`, async () => {
      const missing = join(dir, 'gone.csv');
      const stream = Readable.from(csvSource(missing, mapping, { thread }).open());
      const error = await new Promise((resolve) => stream.on('error', resolve).resume());
      expect(error).toMatchObject({ code: 'file_not_found' });
    });
  }
});
