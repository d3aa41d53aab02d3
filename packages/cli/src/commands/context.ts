import type { Interrupts } from '../run/interrupts';
import type { CliIo } from '../run/run-sync-job';

/** What every command gets from `main`. */
export interface CommandContext {
  readonly io: CliIo;
  /** Sets the process's exit code. */
  readonly setExit: (code: number) => void;
  /** Where Ctrl-C / SIGTERM come from during a sync. */
  readonly interrupts: Interrupts;
  /** Ends the process at once (a second Ctrl-C). */
  readonly exitNow: (code: number) => void;
  /** Called when the command's output is JSON, so an error is printed as a JSON object on stdout too. */
  readonly jsonOutput: () => void;
}
