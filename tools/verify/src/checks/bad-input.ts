import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonReportFile } from '@syncmodes/cli';
import type { VerifyStats } from '../stats';
import { runCli } from './cli-run';

const HEADER = 'Customer Id,Email,First Name,Last Name,Title';
const row = (i: number, extra: Partial<Record<'email' | 'first' | 'last' | 'title', string>> = {}) =>
  [`C${i}`, extra.email ?? `person${i}@example.com`, extra.first ?? `First${i}`, extra.last ?? `Last${i}`, extra.title ?? `Title ${i}`].join(',');

interface Contact {
  Email?: string;
  FirstName?: string;
  LastName?: string;
  Title?: string;
}

/** One broken (or awkward) input file and what must happen to it. */
interface BadInputCase {
  readonly name: string;
  readonly content: string | Buffer;
  readonly exit: number;
  /** Failed records by code (exactly). */
  readonly failed?: Readonly<Record<string, number>>;
  /** Rows the report must account for (one entry per data row). */
  readonly rows?: number;
  /** Extra checks on the report, output and the destination's Contacts; return problems. */
  readonly check?: (report: JsonReportFile | undefined, out: { stdout: string; stderr: string }, contacts: Contact[]) => string[];
}

const lines = (...ls: string[]) => `${ls.join('\n')}\n`;

/** The corpus (issue 6): each file gets a clear error per row or for the run, and the right exit code. */
export const BAD_INPUT_CASES: readonly BadInputCase[] = [
  {
    name: 'unbalanced quotes',
    content: lines(HEADER, row(1), row(2), '3,c@example.com,"Open quote,Last3,T', row(4), row(5)),
    exit: 1,
    // The quote opened on line 4 swallows lines 4-6: one entry per file line it covers.
    failed: { malformed_row: 3 },
    rows: 5,
    check: (r) => {
      const malformed = r?.records.filter((x) => x.code === 'malformed_row') ?? [];
      return malformed.length > 0 && malformed.every((x) => x.message?.includes('never closed')) ? [] : ['the unclosed quote is not explained on every line it swallowed'];
    },
  },
  {
    name: 'rows with the wrong number of columns',
    content: lines(HEADER, row(1), `${row(2)},extra`, 'C3,short@example.com', row(4)),
    exit: 1,
    failed: { malformed_row: 2 },
    rows: 4,
    check: (_r, _o, contacts) => (contacts.length === 2 ? [] : [`${contacts.length} contacts synced, expected 2`]),
  },
  { name: 'a UTF-8 byte order mark', content: `\uFEFF${lines(HEADER, row(1), row(2))}`, exit: 0, failed: {}, rows: 2 },
  { name: 'CRLF line endings', content: [HEADER, row(1), row(2), row(3)].join('\r\n') + '\r\n', exit: 0, failed: {}, rows: 3 },
  {
    name: 'embedded newlines in quoted fields',
    content: lines(HEADER, row(1, { title: '"Head of\nResearch, ""Labs"""' }), row(2)),
    exit: 0,
    failed: {},
    rows: 2,
    check: (_r, _o, contacts) => (contacts.some((c) => c.Title === 'Head of\nResearch, "Labs"') ? [] : ['the multi-line title was not kept']),
  },
  {
    name: 'bytes that are not UTF-8',
    content: Buffer.concat([Buffer.from(lines(HEADER, row(1))), Buffer.from('C2,latin@example.com,Jos\xe9,L,T\n', 'latin1'), Buffer.from(lines(row(3)))]),
    exit: 1,
    failed: { invalid_encoding: 1 },
    rows: 3,
  },
  { name: 'an empty file', content: '', exit: 2, check: (_r, o) => (/empty/.test(o.stderr) ? [] : ['no "empty" error']) },
  { name: 'a header-only file', content: lines(HEADER), exit: 0, failed: {}, rows: 0 },
  { name: 'missing match keys', content: lines(HEADER, row(1), row(2, { email: '' }), row(3, { email: '   ' })), exit: 1, failed: { missing_match_key: 2 }, rows: 3 },
  { name: 'invalid emails', content: lines(HEADER, row(1), row(2, { email: 'no-at-sign.example.com' }), row(3, { email: 'two@@example.com' })), exit: 1, failed: { invalid_email: 2 }, rows: 3 },
  {
    name: 'values longer than any field allows',
    content: lines(HEADER, row(1), row(2, { last: 'L'.repeat(81) }), row(3, { title: 'T'.repeat(129) })),
    exit: 1,
    failed: { value_too_long: 2 },
    rows: 3,
  },
  {
    name: 'right-to-left text',
    content: lines(HEADER, row(1, { first: 'مريم', last: 'כהן' })),
    exit: 0,
    failed: {},
    rows: 1,
    check: (_r, _o, contacts) => (contacts.some((c) => c.FirstName === 'مريم' && c.LastName === 'כהן') ? [] : ['right-to-left names changed']),
  },
  {
    name: 'emoji and combining marks',
    content: lines(HEADER, row(1, { first: 'Zoe\u0308', title: 'Rocket 🚀 team' })),
    exit: 0,
    failed: {},
    rows: 1,
    check: (_r, _o, contacts) => (contacts.some((c) => c.FirstName === 'Zo\u00eb' && c.Title === 'Rocket 🚀 team') ? [] : ['emoji or combining marks were not kept (NFC)']),
  },
  {
    name: 'keys differing only in case or surrounding spaces',
    content: lines(HEADER, row(1, { email: 'Same@Example.com' }), row(2, { email: ' same@example.COM ' }), row(3)),
    exit: 1,
    failed: { duplicate_match_key: 2 },
    rows: 3,
  },
];

/**
 * Runs each corpus file through `syncmodes sync --to salesforce --emulator` (the parsing
 * and row checks are shared by every destination) and checks the exit code, the failures by
 * code, that the report has one entry per data row, and the case's own checks.
 */
export async function runBadInput(stats: VerifyStats): Promise<void> {
  for (const c of BAD_INPUT_CASES) {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-bad-input-'));
    const where = `bad input "${c.name}"`;
    try {
      const file = join(dir, 'input.csv');
      writeFileSync(file, c.content);
      const report = join(dir, 'report.json');
      const out = await runCli(
        ['sync', '--to', 'salesforce', '--emulator', '--mode', 'additive', '--from', file, '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'FirstName=First Name', '--map', 'LastName=Last Name', '--map', 'Title=Title', '--state-dir', join(dir, 'state'), '--report', report, '--no-progress'],
        {},
      );
      if (out.code !== c.exit) stats.violations.push(`${where}: exit code ${out.code}, expected ${c.exit} (${out.stderr.trim().slice(0, 200)})`);
      const written = existsSync(report) ? (JSON.parse(readFileSync(report, 'utf8')) as JsonReportFile) : undefined;
      // A run that ended in an error leaves `complete: false` and the rows decided so far: no report to check.
      const parsed = written?.complete === false ? undefined : written;
      if (c.rows !== undefined) {
        if (!parsed) stats.violations.push(`${where}: no report`);
        else if (parsed.records.length !== c.rows) stats.violations.push(`${where}: the report has ${parsed.records.length} rows, expected ${c.rows}`);
      }
      if (c.failed && parsed && JSON.stringify(Object.entries(parsed.codes.failed).sort()) !== JSON.stringify(Object.entries(c.failed).sort())) {
        stats.violations.push(`${where}: failures ${JSON.stringify(parsed.codes.failed)}, expected ${JSON.stringify(c.failed)}`);
      }
      for (const r of parsed?.records ?? []) {
        if (r.outcome === 'failed' && (!r.message || !/^[a-z0-9_]+$/.test(r.code ?? ''))) stats.violations.push(`${where}: row ${r.row} failed without a stable code and message`);
      }
      const dataFile = join(dir, 'state', 'emulators', 'salesforce.json');
      const contacts = existsSync(dataFile) ? ((JSON.parse(readFileSync(dataFile, 'utf8')) as { Contact?: Contact[] }).Contact ?? []) : [];
      stats.violations.push(...(c.check?.(parsed, out, contacts) ?? []).map((p) => `${where}: ${p}`));
      stats.scenarios++;
      stats.recordsChecked += parsed?.records.length ?? 0;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  // A header-only file after a sync that exported records: refused, nothing sent.
  const dir = mkdtempSync(join(tmpdir(), 'syncmodes-bad-input-'));
  try {
    const args = (file: string) => ['sync', '--to', 'salesforce', '--emulator', '--from', file, '--sync-name', 'people', '--id', 'Customer Id', '--map', 'Email=Email', '--map', 'LastName=Last Name', '--state-dir', join(dir, 'state'), '--no-progress'];
    writeFileSync(join(dir, 'full.csv'), lines(HEADER, row(1), row(2)));
    writeFileSync(join(dir, 'empty.csv'), lines(HEADER));
    await runCli(args(join(dir, 'full.csv')), {});
    const refused = await runCli(args(join(dir, 'empty.csv')), {});
    if (refused.code !== 3 || !refused.stdout.includes('empty_source')) stats.violations.push(`bad input "header-only after a sync": exit ${refused.code}, expected 3 with empty_source`);
    stats.scenarios++;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
