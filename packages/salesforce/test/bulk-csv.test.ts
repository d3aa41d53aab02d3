import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { BulkCsv, pickColumns } from '../src/client/bulk-api';

/** What csv-parse (the parser the connector used) reads: the named columns of each record after the header. */
function oracle(text: string, columns: readonly string[]): string[][] {
  const [header, ...records] = parse(text, { bom: true, relax_column_count: true }) as string[][];
  const picks = columns.map((c) => (header as string[]).indexOf(c));
  return records.map((record) => picks.map((i) => (i >= 0 ? (record[i] ?? '') : '')));
}

function picked(text: string, columns: readonly string[]): string[][] {
  const rows: string[][] = [];
  pickColumns(text, columns, (row) => rows.push(row));
  return rows;
}

describe('Bulk API CSV', () => {
  it.each([
    ['plain, LF', 'sf__Id,sf__Created,Email\n003A,true,a@x.com\n003B,false,b@x.com\n'],
    ['quoted, as Salesforce writes results', '"sf__Id","sf__Created","Email","Title"\n"003A","true","a@x.com","A, B"\n"003B","false","b@x.com","say ""hi"""\n'],
    ['CRLF and a byte-order mark', '\ufeffsf__Id,Email\r\n003A,a@x.com\r\n003B,b@x.com\r\n'],
    ['a line break inside quotes', 'sf__Id,Email,Notes\n003A,a@x.com,"line 1\nline 2"\n003B,b@x.com,"x\r\ny"\n'],
    ['no final line break', 'sf__Id,Email\n003A,a@x.com\n003B,b@x.com'],
    ['short and long records', 'sf__Id,Email,Title\n003A,a@x.com\n003B,b@x.com,T,extra\n'],
    ['empty values and a blank line', 'sf__Id,Email\n,\n\n003B,\n'],
    ['a column asked for that is not there, and one asked twice', 'sf__Id,Email\n003A,a@x.com\n'],
    ['a lone CR inside a value', 'sf__Id,Email\n003A,a\rb@x.com\n'],
  ])('reads the wanted columns as csv-parse does: %s', (_name, text) => {
    const columns = ['Email', 'sf__Id', 'sf__Error', 'Email'];
    expect(picked(text, columns)).toEqual(oracle(text, columns));
  });

  it('refuses text that is not CSV', () => {
    expect(() => picked('a,b\n"x"y,1\n', ['a'])).toThrow(/not valid CSV/);
    expect(() => picked('a,b\n"x,1\n', ['a'])).toThrow(/not valid CSV/);
  });

  it('writes the bytes csv-stringify wrote, 1,000 rows at a time, and keeps each row key as given', () => {
    const columns = ['Email', 'FirstName', 'Title', 'Phone'];
    const rows = Array.from({ length: 2_345 }, (_, i) => ({
      Email: `Person${i}@Example.com`,
      ...(i % 3 === 0 ? {} : { FirstName: i % 7 === 0 ? null : `First, ${i}` }),
      Title: i % 5 === 0 ? 'say "hi"' : i % 11 === 0 ? 'two\nlines' : i % 13 === 0 ? 'cr\ronly' : '',
      Phone: i,
    }));
    const csv = new BulkCsv('Email', columns);
    for (const row of rows) csv.add(row);
    const cells = rows.map((row) => columns.map((c) => (!Object.hasOwn(row, c) ? '' : row[c as keyof typeof row] === null || row[c as keyof typeof row] === '' ? '#N/A' : String(row[c as keyof typeof row]))));
    expect(csv.body().toString()).toBe(stringify([columns, ...cells], { record_delimiter: 'unix' }));
    expect(csv.rows).toBe(rows.length);
    expect(csv.keys).toEqual(rows.map((r) => r.Email));
  });
});
