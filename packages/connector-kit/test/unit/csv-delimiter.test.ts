import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource, type SourceItem } from '../../src/index';

// A file saved with another delimiter (Excel writes ";" in many locales; tab-separated exports
// named .csv): the header reads as one column. The error says which delimiter the header has.

const dir = mkdtempSync(join(tmpdir(), 'syncmodes-csv-delimiter-'));
const mapping = { idColumn: 'id', fields: { Email: 'email', Name: 'name' } };
async function read(name: string, content: string, delimiter?: string): Promise<SourceItem[]> {
  const path = join(dir, name);
  writeFileSync(path, content);
  const out: SourceItem[] = [];
  for await (const item of openSource(path, mapping, undefined, { delimiter }).open()) out.push(item);
  return out;
}

describe('CSV delimiters', () => {
  it.each([
    [';', 'semi.csv', 'id;email;name\n1;a@example.com;Ann\n', `separated by ";", not ",": read the file with delimiter: ';'.`],
    ['tab', 'tab.csv', 'id\temail\tname\n1\ta@example.com\tAnn\n', `separated by tabs, not ",": read the file with delimiter: '\\t'.`],
    ['|', 'pipe.csv', '"id"|"email"|"name"\n1|a@example.com|Ann\n', `separated by "|", not ",": read the file with delimiter: '|'.`],
  ])('a header separated by %s fails unknown_column naming that delimiter', async (_name, file, content, hint) => {
    await expect(read(file, content)).rejects.toMatchObject({ code: 'unknown_column', message: expect.stringContaining(hint) });
  });

  it('a missing column that no other delimiter explains gets no delimiter hint', async () => {
    await expect(read('plain.csv', 'id,email,fullname\n1,a@example.com,Ann\n')).rejects.toSatisfy((e: Error) => /no column "name"/.test(e.message) && !/delimiter/.test(e.message));
  });

  it('with the delimiter given, the rows are read; a .tsv file is read with tabs, and a given delimiter wins over it', async () => {
    const rows = (items: SourceItem[]) => items.map((i) => (i.kind === 'record' ? [i.id, i.snapshot.properties] : i.error.code));
    expect(rows(await read('semi2.csv', 'id;email;name\n1;a@example.com;"Ann; B"\n', ';'))).toEqual([['1', { Email: 'a@example.com', Name: 'Ann; B' }]]);
    expect(rows(await read('t.tsv', 'id\temail\tname\n1\ta@example.com\tAnn\n'))).toEqual([['1', { Email: 'a@example.com', Name: 'Ann' }]]);
    expect(rows(await read('s.tsv', 'id;email;name\n1;a@example.com;Ann\n', ';'))).toEqual([['1', { Email: 'a@example.com', Name: 'Ann' }]]);
  });
});
