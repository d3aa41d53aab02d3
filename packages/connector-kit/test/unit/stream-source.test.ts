import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError, openSource, type SourceItem } from '../../src/index';

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
