import { Writable } from 'node:stream';
import { main } from '@syncmodes/cli';

/** What one in-process CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `syncmodes` CLI in-process with its own environment, capturing its output. */
export async function runCli(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, waitForStop?: () => Promise<void>): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    Object.assign(new Writable({ write: (chunk, _enc, done) => (append(String(chunk)), done()) }), { isTTY: false }) as unknown as NodeJS.WriteStream;
  const code = await main(argv, {
    io: { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)), env },
    ...(waitForStop ? { waitForStop } : {}),
  });
  return { code, stdout, stderr };
}
