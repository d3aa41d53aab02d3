import { main, type MainOptions } from './program';

/** Resolves once everything written to `stream` so far has been handed to the OS (or after `timeoutMs`). */
function drained(stream: NodeJS.WritableStream, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    timer.unref();
    stream.write('', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * What the `syncmodes` bin runs: {@link main}, then — once the summary and the report are
 * written and stdout / stderr are flushed — `process.exit` with its code, whatever sockets
 * or timers a destination SDK left open (a hung server must not keep the CLI alive after
 * the summary). The bin passes the interrupts it caught from its first line
 * (`catchEarlyInterrupts`), so a Ctrl-C while the CLI is still loading stops the run too.
 */
export async function runBin(argv: readonly string[], options: Pick<MainOptions, 'cliModuleUrl' | 'interrupts'> = {}): Promise<never> {
  // A reader that closed its end (`syncmodes sync --help | head -1`) wants nothing more: what is left to print is dropped, not
  // a crash with a stack trace (fresh new-user check 150). Anything else stays an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  let code: number;
  try {
    code = await main(argv, options);
  } catch (error) {
    process.stderr.write(`unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    code = 2;
  }
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}
