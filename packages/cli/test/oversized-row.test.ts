import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_CSV_RECORD_CHARS } from '@syncmodes/connector-kit';
import { createSalesforceEmulator } from '@syncmodes/salesforce/emulator';
import { describe, expect, it } from 'vitest';
import { cli, readReport, tempDir } from './cli-helpers';
import { salesforceSync, SF_ENV, useEmulator } from './fixtures/per-test';

describe('a CSV row longer than a row may be (16 Mi characters)', () => {
  const sf = useEmulator(createSalesforceEmulator);

  it('fails alone (malformed_row, on the line it starts on, no id); the rows after it are read and sent; the report accounts for every row', async () => {
    const dir = tempDir();
    const file = join(dir, 'people.csv');
    const huge = 'x'.repeat(MAX_CSV_RECORD_CHARS + 1_000_000);
    // Line 4 holds a quoted value of 17.8 M characters; its row ends normally.
    writeFileSync(file, `id,Email,LastName,Note\n1,ada@example.com,Lovelace,a\n2,alan@example.com,Turing,b\n3,grace@example.com,Hopper,"${huge}"\n4,edsger@example.com,Dijkstra,d\n5,barbara@example.com,Liskov,e\n`);
    const report = join(dir, 'report.json');
    const out = await cli(salesforceSync(sf.url, '--from', file, '--state-dir', join(dir, 's'), '--report', report), SF_ENV);
    expect(out.code, out.stderr).toBe(1);
    const written = readReport(report);
    expect(written.records.map((r) => [r.row, r.outcome, r.code ?? null]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [2, 'created', null],
      [3, 'created', null],
      [4, 'failed', 'malformed_row'],
      [5, 'created', null],
      [6, 'created', null],
    ]);
    const failed = written.records.find((r) => r.outcome === 'failed');
    expect(failed?.id).toBe('row:4');
    expect(failed?.message).toMatch(/^Line 4: the row is 17,777,245 characters long, more than the 16,777,216 a row may have, so it was not read \(the rest of the file was\)\./);
    expect(written.rows.input).toBe(5);
    expect(sf.emulator.org.all('Contact').map((c) => c.LastName).sort()).toEqual(['Dijkstra', 'Liskov', 'Lovelace', 'Turing']);
    // The summary names the code and the line, never the value.
    expect(out.stdout).toContain('malformed_row (1)');
    expect(out.stdout).not.toContain('xxxxxxxxxx');
  }, 60_000);
});
