import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkSourceFile, InputError, isStreamFile, openSource, type SourceItem, type StreamRecordSource } from '../../src/index';

const mapping = { idColumn: 'id', fields: { email: 'email' }, groupSeparator: ';' };

async function all(source: { open(): AsyncIterable<SourceItem> }): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.open()) out.push(item);
  return out;
}

describe('openSource on a stream (stdin)', () => {
  it('reads a CSV stream twice (the engine scans, then sends) from one spooled copy, removed by dispose()', async () => {
    const source = openSource(Readable.from(['id,email\n1,a@example.com\n', '2,b@example.com\n']), mapping, 'csv');
    expect(source.name).toBe('stdin');
    const first = await all(source);
    const second = await all(source);
    expect(first.map((i) => i.id)).toEqual(['1', '2']);
    expect(second).toEqual(first);
    await source.dispose();
    await source.dispose();
  });

  it('reads NDJSON and JSON streams', async () => {
    const nd = openSource(Readable.from(['{"id":"1","email":"a@example.com"}\n{"id":"2","email":"b@example.com"}\n']), mapping, 'ndjson', { name: 'pipe' });
    expect((await all(nd)).map((i) => i.id)).toEqual(['1', '2']);
    expect(nd.name).toBe('pipe');
    await nd.dispose();
    const json = openSource(Readable.from(['[{"id":"1","email":"a@example.com"}]']), mapping, 'json');
    expect((await all(json)).map((i) => i.id)).toEqual(['1']);
    await json.dispose();
  });

  it('without a format: format_required; an empty stream is reported under the stream\'s name, not the temporary file\'s', async () => {
    expect(() => openSource(Readable.from([]), mapping, undefined)).toThrow(expect.objectContaining({ code: 'format_required' }));
    const empty = openSource(Readable.from([]), mapping, 'csv');
    const error = await all(empty).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('"stdin"');
    expect((error as InputError).message).not.toMatch(/syncmodes-stream-/);
    await empty.dispose();
  });

  it('dispose removes the spooled copy', async () => {
    const spools = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('syncmodes-stream-')));
    const before = spools();
    const source = openSource(Readable.from(['id,email\n1,a@example.com\n']), mapping, 'csv');
    expect((await all(source)).map((i) => i.id)).toEqual(['1']);
    const mine = [...spools()].filter((d) => !before.has(d));
    expect(mine).toHaveLength(1);
    await source.dispose();
    expect(existsSync(join(tmpdir(), mine[0] as string))).toBe(false);
  });
});

describe('openSource on a file that can be read only once (a named pipe, /dev/stdin, <(command))', () => {
  const fifo = () => {
    const path = join(mkdtempSync(join(tmpdir(), 'syncmodes-fifo-')), 'people.csv');
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('is read once, as it comes, into one spooled copy that every pass reads (it used to be opened twice: the second found it empty)', async () => {
    const path = fifo();
    expect(isStreamFile(path)).toBe(true);
    expect(checkSourceFile(path)).toBe(0); // checked without waiting for a writer
    const source = openSource(path, mapping) as StreamRecordSource;
    expect(source.name).toBe(path);
    const written = writeFile(path, 'id,email\n1,a@example.com\n2,b@example.com\n');
    const first = await all(source);
    await written;
    expect(first.map((i) => i.id)).toEqual(['1', '2']);
    expect(await all(source)).toEqual(first);
    await source.dispose();
  });

  it('a pipe that nobody writes to: aborting the signal ends the wait at once with its reason', async () => {
    const path = fifo();
    const controller = new AbortController();
    const source = openSource(path, mapping, undefined, { signal: controller.signal }) as StreamRecordSource;
    const read = all(source).catch((e: unknown) => e);
    setImmediate(() => controller.abort(new Error('stopped by the test')));
    expect(await read).toMatchObject({ message: 'stopped by the test' });
    await source.dispose();
  });

  it('without a format in its name (/dev/fd/63): unknown_format, before anything is read', () => {
    const path = join(dirname(fifo()), 'from-command');
    execFileSync('mkfifo', [path]);
    expect(() => openSource(path, mapping)).toThrow(expect.objectContaining({ code: 'unknown_format', message: expect.stringContaining('it can be read only once') }));
    expect(isStreamFile(path)).toBe(true);
  });
});
