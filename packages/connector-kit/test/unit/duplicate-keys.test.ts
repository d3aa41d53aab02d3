import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonSource, ndjsonSource, type SourceItem } from '../../src/index';
import { duplicateKeys } from '../../src/sources/duplicate-keys';

// Trial 19b F8: a key given twice in one JSON object was read as its last value without a word
// ({"email":"user3@…","email":"evil@x.com"} updated the record with evil@x.com; {"id":"u5","id":"u0"} read u5 as u0).

const dir = mkdtempSync(join(tmpdir(), 'syncmodes-dup-keys-'));
let n = 0;
const file = (ext: string, content: string) => {
  const path = join(dir, `f${n++}.${ext}`);
  writeFileSync(path, content);
  return path;
};
const mapping = { idColumn: 'id', fields: { Email: 'email' } };
async function read(source: { open(): AsyncIterable<SourceItem> }): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.open()) out.push(item);
  return out;
}
const brief = (item: SourceItem) => (item.kind === 'record' ? `${item.row}:${item.id}` : `${item.row}:${item.error.code}`);

describe('a key given twice in one JSON object', () => {
  it.each([
    ['{"a":1,"a":2}', [{ element: 0, key: 'a' }]],
    ['{"a":1,"a":1}', [{ element: 0, key: 'a' }]],
    ['{"a":1,"\\u0061":2}', [{ element: 0, key: 'a' }]],
    ['{"a":{"b":1,"b":2}}', [{ element: 0, key: 'b' }]],
    ['[{"a":1},{"a":1,"b":2,"a":3},{"a":1}]', [{ element: 1, key: 'a' }]],
    ['[{"a":1},[1,2],{"x":{"y":1},"x":2}]', [{ element: 2, key: 'x' }]],
    ['{"a":"x\\":","b":"\\"a\\":"}', []],
    ['{"a":1,"b":{"a":2}}', []],
    ['[{"a":1},{"a":2}]', []],
  ])('%s → %j', (text, expected) => {
    expect(duplicateKeys(text, JSON.parse(text))).toEqual(expected);
  });

  it('NDJSON: the line fails alone (invalid_json, naming the key and the line); the others are read', async () => {
    const path = file('ndjson', '{"id":"u1","email":"a@x.com"}\n{"id":"u2","email":"b@x.com","email":"evil@x.com"}\n{"id":"u5","id":"u0","email":"c@x.com"}\n{"id":"u6","email":"d@x.com","big":12345678901234567890,"big":1}\n{"id":"u7","email":"e@x.com"}\n');
    const items = await read(ndjsonSource(path, mapping));
    expect(items.map(brief)).toEqual(['1:u1', '2:invalid_json', '3:invalid_json', '4:invalid_json', '5:u7']);
    const messages = items.flatMap((i) => (i.kind === 'error' ? [i.error.message] : []));
    expect(messages[0]).toBe('Line 2 has the key "email" twice in one object; JSON readers keep only one of the values, so which is meant is unclear. Keep one of them.');
    expect(messages[1]).toContain('Line 3 has the key "id" twice');
    expect(messages[2]).toContain('Line 4 has the key "big" twice');
  });

  it('JSON array: the element fails alone; the others are read', async () => {
    const path = file('json', '[{"id":"u1","email":"a@x.com"},{"id":"u5","id":"u0","email":"b@x.com"},{"id":"u2","email":"c@x.com"}]');
    const items = await read(jsonSource(path, mapping));
    expect(items.map(brief)).toEqual(['1:u1', '2:invalid_json', '3:u2']);
    expect(items[1]?.kind === 'error' && items[1].error.message).toContain('Element 2 has the key "id" twice');
  });
});
