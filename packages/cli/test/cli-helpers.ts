import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import type { JsonReportFile } from '../src/output/report-stream';
import { main, type Interrupts } from '../src/index';
import { inject } from 'vitest';

/** How {@link cliWith} runs the CLI. */
export interface CliRunOptions {
  readonly env?: Record<string, string | undefined>;
  /** What stdin holds (for `--from -`, confirmations), and whether it is a terminal. */
  readonly stdin?: string | Readable | undefined;
  readonly stdinTTY?: boolean;
  /** Whether stderr / stdout claim to be terminals. */
  readonly stderrTTY?: boolean;
  readonly stdoutTTY?: boolean;
  readonly interrupts?: Interrupts;
  readonly exitNow?: (code: number) => void;
  readonly waitForStop?: () => Promise<void>;
}

/** A writable that appends what it receives, claiming to be a terminal or not. */
export function sink(write: (s: string) => void, isTTY = false): NodeJS.WriteStream {
  const stream = new Writable({
    write(chunk, _enc, done) {
      write(String(chunk));
      done();
    },
  });
  return Object.assign(stream, { isTTY, columns: 120 }) as unknown as NodeJS.WriteStream;
}

/** Runs the CLI in-process with the given stdin, terminals and interrupts, capturing stdout / stderr. */
export async function cliWith(argv: string[], options: CliRunOptions = {}) {
  let stdout = '';
  let stderr = '';
  const input = typeof options.stdin === 'string' ? Readable.from([options.stdin]) : (options.stdin ?? Readable.from([]));
  const stdin = Object.assign(input, { isTTY: options.stdinTTY ?? false });
  const code = await main(argv, {
    io: { stdout: sink((s) => (stdout += s), options.stdoutTTY), stderr: sink((s) => (stderr += s), options.stderrTTY), env: options.env ?? {}, stdin },
    ...(options.waitForStop ? { waitForStop: options.waitForStop } : {}),
    ...(options.interrupts ? { interrupts: options.interrupts } : {}),
    ...(options.exitNow ? { exitNow: options.exitNow } : {}),
  });
  return { code, stdout, stderr };
}

/** Runs the CLI in-process, capturing stdout / stderr. */
export async function cli(argv: string[], env: Record<string, string | undefined> = {}, waitForStop?: () => Promise<void>) {
  return cliWith(argv, { env, ...(waitForStop ? { waitForStop } : {}) });
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test run's temporary root (`temp-root-global-setup.ts`), where {@link tempDir} makes its folders. */
    cliTempRoot: string;
  }
}

/** A fresh temporary folder, inside the test run's root (removed when the run ends: `temp-root-global-setup.ts`). */
export function tempDir(): string {
  const root: string | undefined = inject('cliTempRoot');
  if (root === undefined) throw new Error("tempDir() needs the run's root: add packages/cli/test/temp-root-global-setup.ts to this package's vitest globalSetup");
  return mkdtempSync(join(root, 'syncmodes-cli-'));
}

/** Reads a JSON report. */
export function readReport(path: string): JsonReportFile {
  return JSON.parse(readFileSync(path, 'utf8')) as JsonReportFile;
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
