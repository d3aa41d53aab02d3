import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_CSV_COLUMNS, MAX_CSV_RECORD_CHARS, csvSource, type CsvSourceOptions, type SourceItem } from '../../src/index';

// Reading a CSV exactly (issue #17): rows numbered by file line, malformed and merged rows
// failed without an id, absurd headers refused quickly.

const dir = mkdtempSync(join(tmpdir(), 'syncmodes-csv-exact-'));
let n = 0;
const file = (content: string | Buffer) => {
  const path = join(dir, `f${n++}.csv`);
  writeFileSync(path, content);
  return path;
};
const mapping = { idColumn: 'id', fields: { Email: 'email', Name: 'name' } };
async function read(content: string | Buffer, options: CsvSourceOptions = {}): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of csvSource(file(content), mapping, options).open()) out.push(item);
  return out;
}
/** Reads a file of four columns: `id,email,first,last`. */
async function readWide(content: string): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of csvSource(file(content), { idColumn: 'id', fields: { Email: 'email', FirstName: 'first', LastName: 'last' } }).open()) out.push(item);
  return out;
}
/** `line:id` for records, `line:code` for errors. */
const brief = (items: SourceItem[]) => items.map((i) => (i.kind === 'record' ? `${i.row}:${i.id}` : `${i.row}:${i.error.code}`));
const errors = (items: SourceItem[]) => items.filter((i): i is SourceItem & { kind: 'error' } => i.kind === 'error');
/** Data lines `id,email,name` for ids from..to. */
const rows = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `${from + k},p${from + k}@x.example,Person ${from + k}`);

describe('CSV: a stray pair of quotes never swallows rows silently', () => {
  it('fails every line of the merged row (quote opens a value, a later value closes it), each naming the span, no id; later lines keep their numbers', async () => {
    const lines = ['id,email,name', ...rows(1, 100)];
    lines[10] = '10,p10@x.example,"Person 10'; // file line 11 opens a quote …
    lines[15] = '15,p15@x.example,Person 15"'; // … and line 16 closes it: lines 12–15 would vanish into one value
    const items = await read(lines.join('\n') + '\n');
    expect(items).toHaveLength(100); // one entry per input line
    const merged = errors(items);
    expect(merged.map((e) => e.row)).toEqual([11, 12, 13, 14, 15, 16]);
    for (const e of merged) {
      expect(e).toMatchObject({ id: undefined, error: { code: 'malformed_row' } });
      expect(e.error.message).toMatch(/^Lines 11–16 were read as one row: a quoted value opened on line 11 runs to line 16, and line 12 inside it looks like a row of its own/);
    }
    expect(brief(items).slice(8, 18)).toEqual(['10:9', '11:malformed_row', '12:malformed_row', '13:malformed_row', '14:malformed_row', '15:malformed_row', '16:malformed_row', '17:16', '18:17', '19:18']);
    expect(brief(items).at(-1)).toBe('101:100');
  });

  it('reads a UTF-16 file (little- or big-endian, named by its BOM) exactly as the same file in UTF-8: merged rows caught, every line numbered (fourteenth trial of #17: p6 was deleted, every row numbered 1)', async () => {
    const lines = ['id,email,name', ...rows(1, 12)];
    lines[5] = '5,p5@x.example,"Person 5';
    lines[6] = '6,p6@x.example,Person 6"';
    lines[9] = '9,p9@x.example,Zoë 9 ✓';
    const text = lines.join('\r\n') + '\r\n';
    const utf8 = await read(text);
    expect(brief(utf8).slice(3, 9)).toEqual(['5:4', '6:malformed_row', '7:malformed_row', '8:7', '9:8', '10:9']);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16();
    expect(await read(le)).toEqual(utf8);
    expect(await read(be)).toEqual(utf8);
    // A lone surrogate is not text: that value fails alone (invalid_encoding), the rows around it are read.
    const broken = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,email,name\n1,p1@x.example,A', 'utf16le'), Buffer.from([0x00, 0xd8]), Buffer.from('\n2,p2@x.example,B\n', 'utf16le')]);
    expect(brief(await read(broken))).toEqual(['2:invalid_encoding', '3:2']);
  });

  it('catches the quote closing in the middle of a line, and opening in the first column', async () => {
    const midLine = ['id,email,name', '1,"p1@x.example,One', '2,p2@x.example,Two', '3,p3@x.example",Three', '4,p4@x.example,Four'].join('\r\n');
    expect(brief(await read(midLine))).toEqual(['2:malformed_row', '3:malformed_row', '4:malformed_row', '5:4']);
    const firstColumn = ['id,email,name', '"1,p1@x.example,One', '2",p2@x.example,Two', '3,p3@x.example,Three'].join('\n');
    expect(brief(await read(firstColumn))).toEqual(['2:malformed_row', '3:malformed_row', '4:3']);
  });

  it('catches a merged line one value short of a row (trial of stop 25: quote opened in the email or the last column, closed on the next line)', async () => {
    const head = ['id,email,first,last', 'c1,a@x.com,Ada,A', 'c2,b@x.com,Bob,B', 'c3,c@x.com,Cy,C'];
    const inEmail = [...head, 'c4,"d@x.com,Di,D', 'c5",Eve,E', 'c6,f@x.com,Fay,F'].join('\n');
    expect(brief(await readWide(inEmail))).toEqual(['2:c1', '3:c2', '4:c3', '5:malformed_row', '6:malformed_row', '7:c6']);
    const inLast = [...head, 'c4,d@x.com,Di,"D', 'c5,Eve,E"', 'c6,f@x.com,Fay,F'].join('\n');
    expect(brief(await readWide(inLast))).toEqual(['2:c1', '3:c2', '4:c3', '5:malformed_row', '6:malformed_row', '7:c6']);
    // A genuine multi-line address in the last column stays a value.
    const address = [...head, 'c4,d@x.com,Di,"Flat 2, 12 Main St', 'Springfield, IL 62701"', 'c6,f@x.com,Fay,F'].join('\n');
    expect(brief(await readWide(address))).toEqual(['2:c1', '3:c2', '4:c3', '5:c4', '7:c6']);
  });

  it('catches a merged line that starts with another id shaped like the row\'s own (trial of stop 26: `c2,b@x.com,"B` then `c3",L`)', async () => {
    for (const eol of ['\n', '\r\n']) {
      const merged = ['id,email,first,last', 'c1,a@x.com,Ada,A', 'c2,b@x.com,"B', 'c3",L', 'c4,d@x.com,Di,D'].join(eol);
      expect(brief(await readWide(merged))).toEqual(['2:c1', '3:malformed_row', '4:malformed_row', '5:c4']);
      const numeric = ['id,email,first,last', '1041,a@x.com,Ada,A', '1042,b@x.com,"B', '1043",L', '1044,d@x.com,Di,D'].join(eol);
      expect(brief(await readWide(numeric))).toEqual(['2:1041', '3:malformed_row', '4:malformed_row', '5:1044']);
      // Second trial of stop 26: the quote opens in the last value and the next line is only the next id.
      const alone = ['id,email,first,last', 'c1,a@x.com,A,La', 'c2,b@x.com,B,"Lb', 'c3"', 'c4,d@x.com,D,Ld'].join(eol);
      expect(brief(await readWide(alone))).toEqual(['2:c1', '3:malformed_row', '4:malformed_row', '5:c4']);
    }
    // Genuine multi-line values: a second line that is a word (with a letters-only id too), or an address, stays a value.
    const notes = ['id,email,first,last', 'c1,a@x.com,"Ada', 'Mary",A', 'c2,b@x.com,"Bob', 'Flat 2, Springfield",B', 'ab,c@x.com,"Cy', 'Mae",C'].join('\n');
    expect(brief(await readWide(notes))).toEqual(['2:c1', '4:c2', '6:ab']);
  });

  it('catches a merged line that is a row written with another delimiter, or only the next row\'s email address (third trial of stop 27: sync deleted c3)', async () => {
    const head = ['id,email,first,last', 'c1,u1@x.com,F1,L1'];
    for (const inner of ['u3@x.com"', 'c3;u3@x.com;F3;L3"', 'c3\tu3@x.com\tF3\tL3"', 'c3|u3@x.com"', ',u3@x.com,F3,L3"', 'u3@x.com,F3"', 'u3@x.com;F3;L3"', 'c3 u3@x.com F3 L3"', 'u3@x.com F3 L3"', 'F3 L3, u3@x.com"']) {
      const csv = [...head, 'c2,u2@x.com,F2,"L2', inner, 'c4,u4@x.com,F4,L4'].join('\n');
      expect(brief(await readWide(csv)), inner).toEqual(['2:c1', '3:malformed_row', '4:malformed_row', '5:c4']);
    }
    // Genuine multi-line values stay values: a note with a semicolon, an address with a pipe.
    const notes = [...head, 'c2,u2@x.com,F2,"Call back; maybe', 'next week | or later', 'Flat 2, 12 Main St"', 'c4,u4@x.com,F4,L4'].join('\n');
    expect(brief(await readWide(notes))).toEqual(['2:c1', '3:c2', '6:c4']);
    // A note holding an email address is refused, naming the option that reads it as it is.
    const withAddress = [...head, 'c2,u2@x.com,F2,"Call back', 'write to bob@y.com first"', 'c4,u4@x.com,F4,L4'].join('\n');
    const refused = await readWide(withAddress);
    expect(brief(refused)).toEqual(['2:c1', '3:malformed_row', '4:malformed_row', '5:c4']);
    expect(errors(refused)[0]?.error.message).toContain("multilineValues: 'trust'");
    const trusted: SourceItem[] = [];
    for await (const item of csvSource(file(withAddress), { idColumn: 'id', fields: { Email: 'email', FirstName: 'first', LastName: 'last' } }, { multilineValues: 'trust' }).open()) trusted.push(item);
    expect(brief(trusted)).toEqual(['2:c1', '3:c2', '5:c4']);
    // An address alone on a line where no other value is one (no email column) stays a value too.
    const noEmail = ['id,name,note', 'c1,Ann,"Reach her at', 'ann@y.com"', 'c2,Bob,B'].join('\n');
    const items: SourceItem[] = [];
    for await (const item of csvSource(file(noEmail), { idColumn: 'id', fields: { Name: 'name', Note: 'note' } }).open()) items.push(item);
    expect(brief(items)).toEqual(['2:c1', '4:c2']);
  });

  it('keeps genuine multi-line values, and line numbers after them (CRLF inside quotes counts once)', async () => {
    const csv = ['id,email,name', '1,p1@x.example,"12 Main St\r\nApt 4\r\nSpringfield"', '2,p2@x.example,"Ada\r\nLovelace"', '', '3,p3@x.example,Zoe'].join(
      '\r\n',
    );
    const items = await read(csv);
    expect(brief(items)).toEqual(['2:1', '5:2', '8:3']);
    expect(items[0]?.kind === 'record' && items[0].snapshot.properties.Name).toBe('12 Main St\r\nApt 4\r\nSpringfield');
  });

  it('multilineValues: trust skips the merged-row check', async () => {
    const csv = ['id,email,name', '1,p1@x.example,"Note', '2,p2@x.example,Two"', '3,p3@x.example,Three'].join('\n');
    expect(brief(await read(csv))).toEqual(['2:malformed_row', '3:malformed_row', '4:3']);
    expect(brief(await read(csv, { multilineValues: 'trust' }))).toEqual(['2:1', '4:3']);
  });

  it('fails a quote that closes before more text alone (strict csv-parse would read on across the next rows)', async () => {
    const csv = [
      'id,email,name',
      '1,p1@x.example,"One"x',
      '2,p2@x.example,Two',
      '3,p3@x.example,"Three" ',
      '4,p4@x.example,Four',
      '5,p5@x.example,Fi"ve',
      '6,p6@x.example,Six',
    ].join('\n');
    const items = await read(csv);
    expect(brief(items)).toEqual(['2:malformed_row', '3:2', '4:malformed_row', '5:4', '6:malformed_row', '7:6']);
    expect(errors(items).every((e) => e.id === undefined)).toBe(true);
    expect(errors(items)[0]?.error.message).toBe(
      'Line 2: a quoted value is followed by more text before the next delimiter (column "name"). Quote the whole value and double every quote inside it (""), or remove a stray quote.',
    );
    expect(errors(items)[2]?.error.message).toMatch(/^Line 6: a value that is not quoted holds a quote \(column "name"\)/);
  });

  it('reads escaped quotes and quoted delimiters as before', async () => {
    const items = await read('id,email,name\n1,p1@x.example,"Say ""hi"", Ada"\n2,p2@x.example,Two\n');
    expect(brief(items)).toEqual(['2:1', '3:2']);
    expect(items[0]?.kind === 'record' && items[0].snapshot.properties.Name).toBe('Say "hi", Ada');
  });

  it('numbers rows by line after rows with too few or too many values', async () => {
    const csv = ['id,email,name', '1,p1@x.example', '2,p2@x.example,Two,extra', '3,p3@x.example,"Three', 'continued",x', '4,p4@x.example,Four'].join('\n');
    const items = await read(csv);
    expect(brief(items)).toEqual(['2:malformed_row', '3:malformed_row', '4:malformed_row', '5:malformed_row', '6:4']);
    expect(errors(items)[2]?.error.message).toMatch(/^Lines 4–5 were read as one row \(a quoted value opened on line 4 runs to line 5\), which has 4 values; the header has 3\. A quote is probably stray/);
    expect(errors(items)[3]?.error.message).toBe(errors(items)[2]?.error.message);
  });

  it('a header ending with a delimiter (third trial of stop 27: every row failed, then the run was refused empty_source) reads rows with or without that last empty value; other short rows still fail', async () => {
    const csv = ['id,email,name,', '1,p1@x.example,One', '2,p2@x.example,Two,', '3,p3@x.example', '4,p4@x.example,Four'].join('\n');
    const items = await read(csv);
    expect(brief(items)).toEqual(['2:1', '3:2', '4:malformed_row', '5:4']);
    expect(errors(items)[0]?.error.message).toBe('Line 4: the row has 2 values; the header has 4. Check for a missing or extra delimiter, or a stray quote.');
    expect(items[0]?.kind === 'record' && items[0].snapshot.properties).toEqual({ Email: 'p1@x.example', Name: 'One' });
    // Without the trailing delimiter, a row one value short still fails.
    expect(brief(await read(['id,email,name', '1,p1@x.example', '2,p2@x.example,Two'].join('\n')))).toEqual(['2:malformed_row', '3:2']);
  });

  it('a record longer than MAX_CSV_RECORD_CHARS fails alone on the line it starts on; the rows after it are read', async () => {
    const huge = `2,p2@x.example,"${'x'.repeat(MAX_CSV_RECORD_CHARS + 10)}"\n3,p3@x.example,Three\n`;
    const items = await read(`id,email,name\n1,p1@x.example,One\n${huge}`);
    expect(brief(items)).toEqual(['2:1', '3:malformed_row', '4:3']);
    expect(errors(items)[0]).toMatchObject({ id: undefined });
    expect(errors(items)[0]?.error.message).toBe(
      `Line 3: the row is ${(MAX_CSV_RECORD_CHARS + 27).toLocaleString('en-US')} characters long, more than the 16,777,216 a row may have, so it was not read (the rest of the file was). Shorten its values, or check for a stray quote that made one value swallow the rows after it.`,
    );
  });
});

describe('CSV: a record longer than a row may be (maxRecordChars)', () => {
  const max = { maxRecordChars: 1_000 };

  it('fails alone, unquoted or quoted, with one entry per line it covers; every other line is read and numbered', async () => {
    const lines = ['id,email,name', ...rows(1, 6)];
    lines[2] = `2,p2@x.example,${'u'.repeat(1_200)}`; // line 3: unquoted
    lines[4] = `4,p4@x.example,"${'q'.repeat(600)}\n${'q'.repeat(600)}"`; // lines 5–6: one quoted value over two lines
    const items = await read(lines.join('\n') + '\n', max);
    expect(brief(items)).toEqual(['2:1', '3:malformed_row', '4:3', '5:malformed_row', '6:malformed_row', '7:5', '8:6']);
    expect(errors(items)[0]?.error.message).toMatch(/^Line 3: the row is 1,215 characters long, more than the 1,000 a row may have, so it was not read \(the rest of the file was\)\./);
    expect(errors(items)[1]?.error.message).toMatch(/^Lines 5–6: the row is 1,218 characters long/);
  });

  it('a quote never closed still stops reading at twice the limit, with one entry for the rest of the file', async () => {
    const lines = ['id,email,name', ...rows(1, 200)];
    lines[2] = '2,p2@x.example,"Person 2'; // line 3 opens a quote that never closes
    const items = await read(lines.join('\n') + '\n', max);
    expect(brief(items)).toEqual(['2:1', '3:malformed_row']);
    expect(errors(items)[0]?.error.message).toMatch(/^Line 3: a row is still not ended after 2,000 characters \(most likely a quote that is never closed\), so the rest of the file could not be read/);
  });

  it('a row with no quote still not ended at twice the limit is not blamed on a quote (second trial of stop 31)', async () => {
    const lines = ['id,email,name', ...rows(1, 4)];
    lines[2] = `2,p2@x.example,${'u'.repeat(2_500)}`;
    const items = await read(lines.join('\n') + '\n', max);
    expect(errors(items)[0]?.error.message).toMatch(/^Line 3: a row is still not ended after 2,000 characters and holds no quote \(a value that long, or not a text file of rows\)/);
  });

  it('a header longer than a row may be is refused (unreadable_file)', async () => {
    await expect(read(`id,email,name${',x'.repeat(600)}\n1,a,b\n`, max)).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/header .*Line 1 is 1,213 characters long/) });
  });
});

describe('CSV: headers are checked in linear time and bounded', () => {
  it('refuses a header of a million columns at once (too_many_columns)', async () => {
    const header = Array.from({ length: 1_000_000 }, (_, i) => `c${i}`).join(',');
    // Refused at once: a quadratic check would run for hours (the test's timeout bounds it).
    await expect(read(`${header}\n`)).rejects.toMatchObject({ code: 'too_many_columns' });
  });

  it(`reads ${MAX_CSV_COLUMNS.toLocaleString('en-US')} columns, and finds a duplicate among them quickly`, async () => {
    const names = ['id', 'email', 'name', ...Array.from({ length: MAX_CSV_COLUMNS - 3 }, (_, i) => `c${i}`)];
    const values = names.map((_, i) => (i === 0 ? '1' : i === 1 ? 'p1@x.example' : 'v'));
    expect(brief(await read(`${names.join(',')}\n${values.join(',')}\n`))).toEqual(['2:1']);
    names[names.length - 1] = 'name';
    await expect(read(`${names.join(',')}\n`)).rejects.toMatchObject({ code: 'duplicate_column', message: expect.stringContaining('"name" twice, and it is mapped') });
  });

  // Fresh trial 147, F6: exports joined column-wise repeat columns nobody maps (two "Notes"); the whole file was refused.
  it('reads a file naming an unmapped column twice (those columns are not read); a mapped one named twice is refused', async () => {
    expect(brief(await read('Notes,id,email,name,Notes\nx,1,p1@x.example,Ann,y\n'))).toEqual(['2:1']);
    expect(await read('Notes,id,email,name,Notes\nx,1,p1@x.example,Ann,y\n')).toMatchObject([{ kind: 'record', id: '1', snapshot: { properties: { Email: 'p1@x.example', Name: 'Ann' } } }]);
    await expect(read('id,email,name,email\n1,a@x.example,Ann,b@x.example\n')).rejects.toMatchObject({ code: 'duplicate_column', message: expect.stringContaining('"email" twice') });
  });

  // Fresh reviewer 97, F10: Excel ends an export's rows with empty columns (`Customer Id,Email,,`); the file was refused
  // whole, duplicate_column for column "". Unnamed columns cannot be mapped: they are left unread.
  it('reads a header ending with unnamed columns (Excel), and their cells are not read', async () => {
    expect(brief(await read('id,email,name,,\r\n1,p1@x.example,Ann,,\r\n2,p2@x.example,Bo,stray,\r\n'))).toEqual(['2:1', '3:2']);
    await expect(read('id,email,name,name,\n')).rejects.toMatchObject({ code: 'duplicate_column', message: expect.stringContaining('"name" twice') });
    // Fresh reviewer 100, F7: a missing mapped column's message listed the unnamed ones as "".
    await expect(read('id,mail,,name,,\n')).rejects.toMatchObject({ code: 'unknown_column', message: expect.stringMatching(/Columns found: "id", "mail", "name"\.$/) });
  });

  it('lists at most 20 columns when a mapped one is missing', async () => {
    const header = Array.from({ length: 500 }, (_, i) => `c${i}`).join(',');
    await expect(read(`${header}\n`)).rejects.toThrow(/Columns found: "c0", .*"c19" and 480 more\.$/);
  });

  it('refuses a file whose header cannot be read', async () => {
    await expect(read('id,"email,name\n1,a,b\n')).rejects.toMatchObject({ code: 'unreadable_file' });
  });
});

describe('CSV: control characters in ids and values', () => {
  it('fails an id with NUL, tab or other control characters as invalid_id, without the id', async () => {
    const items = await read('id,email,name\n1\u0000,p1@x.example,One\n"2\t3",p2@x.example,Two\n4\u001b,p4@x.example,Four\n5,p5@x.example,Five\n');
    expect(brief(items)).toEqual(['2:invalid_id', '3:invalid_id', '4:invalid_id', '5:5']);
    expect(errors(items).map((e) => e.id)).toEqual([undefined, undefined, undefined]);
  });

  it('fails a value with a NUL byte as invalid_value, naming the column; tabs and line breaks in values are kept', async () => {
    const items = await read('id,email,name\n1,p1@x.example,On\u0000e\n2,p2@x.example,"Tab\there"\n');
    expect(items[0]).toMatchObject({ row: 2, id: '1', error: { code: 'invalid_value', message: expect.stringContaining('Column "name"') } });
    expect(items[1]).toMatchObject({ kind: 'record', snapshot: { properties: { Name: 'Tab\there' } } });
  });
});
