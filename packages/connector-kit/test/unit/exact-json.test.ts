import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSource, ndjsonSource, parseExactJson, type SourceItem } from '../../src/index';

// Exact identifiers (issue #12): JSON and NDJSON numbers a double cannot hold stay exact text.

const dir = mkdtempSync(join(tmpdir(), 'syncmodes-exact-json-'));
let n = 0;
const file = (ext: string, content: string) => {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
};
const mapping = { idColumn: 'id', fields: { Email: 'email', External: 'ext', Score: 'score' } };
async function read(source: { open(): AsyncIterable<SourceItem> }): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.open()) out.push(item);
  return out;
}
const props = (item: SourceItem | undefined) => (item?.kind === 'record' ? { id: item.id, ...item.snapshot.properties } : item);

describe('exact JSON numbers', () => {
  it.each([
    ['9007199254740991', 9007199254740991],
    ['9007199254740992', '9007199254740992'],
    ['9007199254740993', '9007199254740993'],
    ['-9007199254740993', '-9007199254740993'],
    ['12345678901234567890', '12345678901234567890'],
    ['0.1', 0.1],
    ['1.10', 1.1],
    ['123456789012345.5', 123456789012345.5],
    ['0.12345678901234567891', '0.12345678901234567891'],
    ['1e400', '1e400'],
    ['1e5', 100000],
    ['2.5e-324', '2.5e-324'],
    ['-0', -0],
  ])('%s → %j', (text, expected) => {
    expect(parseExactJson(`{"v":${text}}`)).toEqual({ v: expected });
    expect(parseExactJson(`[${text}, "padding 1234567890123456"]`)).toEqual([expected, 'padding 1234567890123456']);
  });

  it('reads NDJSON ids and values beyond 2^53 with every digit; ids that differ past 2^53 stay distinct', async () => {
    const lines = [
      '{"id":9007199254740993,"email":"a@x.example","ext":12345678901234567891,"score":0.1}',
      '',
      '{"id":9007199254740992,"email":"b@x.example","ext":7,"score":0.12345678901234567891}',
    ];
    const items = await read(ndjsonSource(file('ndjson', lines.join('\n')), mapping));
    expect(items.map((i) => i.row)).toEqual([1, 3]);
    expect(props(items[0])).toEqual({ id: '9007199254740993', Email: 'a@x.example', External: '12345678901234567891', Score: 0.1 });
    expect(props(items[1])).toEqual({ id: '9007199254740992', Email: 'b@x.example', External: 7, Score: '0.12345678901234567891' });
  });

  it('reads JSON arrays the same way', async () => {
    const items = await read(jsonSource(file('json', '\uFEFF[{"id":18446744073709551617,"email":"a@x.example","ext":9007199254740993}]'), mapping));
    expect(props(items[0])).toEqual({ id: '18446744073709551617', Email: 'a@x.example', External: '9007199254740993', Score: null });
  });
});

describe('control characters in JSON ids and values', () => {
  it('fails an id holding NUL or another control character as invalid_id, without the id', async () => {
    const lines = ['{"id":"7\\u0000","email":"a@x.example"}', '{"id":"8\\n8","email":"b@x.example"}', '{"id":"9","email":"c@x.example"}'];
    const items = await read(ndjsonSource(file('ndjson', lines.join('\n')), mapping));
    expect(items.map((i) => (i.kind === 'error' ? [i.row, i.id, i.error.code] : [i.row, i.id]))).toEqual([
      [1, undefined, 'invalid_id'],
      [2, undefined, 'invalid_id'],
      [3, '9'],
    ]);
  });

  it('fails a value holding NUL as invalid_value, with the id and the column', async () => {
    const items = await read(jsonSource(file('json', '[{"id":"1","email":"a\\u0000@x.example"}]'), mapping));
    expect(items[0]).toMatchObject({ kind: 'error', row: 1, id: '1', error: { code: 'invalid_value', message: expect.stringContaining('Column "email"') } });
  });
});
