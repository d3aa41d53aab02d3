import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { SyncReport } from '@syncmodes/connector-kit';
import { main } from '../src/index';

/** Runs the CLI in-process, capturing stdout / stderr. */
export async function cli(argv: string[], env: Record<string, string | undefined> = {}, waitForStop?: () => Promise<void>) {
  let stdout = '';
  let stderr = '';
  const sink = (write: (s: string) => void) =>
    Object.assign(
      new Writable({
        write(chunk, _enc, done) {
          write(String(chunk));
          done();
        },
      }),
      { isTTY: false },
    ) as unknown as NodeJS.WriteStream;
  const code = await main(argv, {
    io: { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env },
    ...(waitForStop ? { waitForStop } : {}),
  });
  return { code, stdout, stderr };
}

/** A fresh temporary folder. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'syncmodes-cli-'));
}

/** Reads a JSON report. */
export function readReport(path: string): SyncReport {
  return JSON.parse(readFileSync(path, 'utf8')) as SyncReport;
}

export { sharedDataFile } from '../../../tools/test/shared-data';

/** The standard mapping of customers-10000.csv onto Salesforce Contacts (issue example). */
export const CUSTOMER_MAPPING = [
  '--id',
  'Customer Id',
  '--map',
  'Email=Email',
  '--map',
  'FirstName=First Name',
  '--map',
  'LastName=Last Name',
  '--map',
  'Phone=Phone 1',
];
