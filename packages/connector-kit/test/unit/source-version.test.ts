import { appendFileSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSource, type RecordSource, type SourceItem } from '../../src/index';

// A source file changed while the run reads it (fourteenth trial of #17: a 50,000-row export cut to
// 49,600 rows during the read planned 400 deletes, exit 0): the read ends with unreadable_file.

const mapping = { idColumn: 'id', fields: { Email: 'email' } };
const lines = (n: number) => ['id,email', ...Array.from({ length: n }, (_, i) => `${i + 1},p${i + 1}@x.example`)].join('\n') + '\n';

async function readAll(source: RecordSource, during?: (count: number) => void): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of source.open()) {
    out.push(item);
    during?.(out.length);
  }
  return out;
}

describe('a source file that changes while it is read', () => {
  for (const [format, change] of [
    ['csv', (path: string) => truncateSync(path, 40)],
    ['csv', (path: string) => appendFileSync(path, '9999,late@x.example\n')],
    ['ndjson', (path: string) => appendFileSync(path, '{"id":"9999","email":"late@x.example"}\n')],
  ] as const) {
    it(`${format}, ${change.toString().includes('truncate') ? 'cut short' : 'appended to'} during the read: the read ends with unreadable_file naming the change`, async () => {
      const path = join(mkdtempSync(join(tmpdir(), 'syncmodes-version-')), `people.${format}`);
      writeFileSync(path, format === 'csv' ? lines(20_000) : Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ id: String(i + 1), email: `p${i + 1}@x.example` })).join('\n') + '\n');
      const source = openSource(path, mapping);
      await expect(readAll(source, (n) => n === 5 && change(path))).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringContaining('changed while syncmodes read it') });
    });
  }

  it('a file read twice unchanged reads the same both times; changed between the reads, the second read is refused', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'syncmodes-version-')), 'people.csv');
    writeFileSync(path, lines(3));
    const source = openSource(path, mapping);
    const first = await readAll(source);
    expect(first).toHaveLength(3);
    expect(await readAll(source)).toEqual(first);
    appendFileSync(path, '4,p4@x.example\n');
    await expect(readAll(source)).rejects.toMatchObject({ code: 'unreadable_file' });
  });
});
