import { DEFAULT_IN_FLIGHT_GRACE_MS, SyncError } from '@syncmodes/connector-kit';
import { EXIT } from '../registry/exit-codes';

/** Where interrupts come from: `listen` subscribes and returns the unsubscribe function. */
export interface Interrupts {
  listen(onInterrupt: (signal: string) => void): () => void;
}

/** The process's SIGINT (Ctrl-C) and SIGTERM. */
export const processInterrupts: Interrupts = {
  listen(onInterrupt) {
    const onInt = () => onInterrupt('SIGINT');
    const onTerm = () => onInterrupt('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  },
};

/** The reason a run's signal is aborted with when the user interrupts it. */
export function interruptedError(signal: string): SyncError {
  return new SyncError('interrupted', `Interrupted (${signal}): no new calls were sent; the calls in flight finished. Running again continues from the state.`, { retryable: true });
}

/**
 * What an interrupt stops: `waiting` for another run to release the emulator's data
 * (nothing was sent; the command ends), the `running` sync (the default), or, once the run
 * is over, `reporting`: a report still waiting for a named pipe's reader is given up.
 */
export type StopStage = 'waiting' | 'running' | 'reporting';

/** A run's stop switch, driven by interrupts. */
export interface StopSwitch {
  readonly signal: AbortSignal;
  /** Aborted by an interrupt while the report waits for a named pipe's reader (the first, or one after the interrupt that stopped the run): gives the report up. */
  readonly reportSignal: AbortSignal;
  /** The signal that stopped the run, when one did. */
  readonly interruptedBy: string | undefined;
  /** What to do before exiting at once (print the summary, once the run has one). */
  beforeExit(print: (() => void) | undefined): void;
  /** Sets what a first interrupt stops, for the line it prints. */
  stage(stage: StopStage): void;
  dispose(): void;
}

/** What the first interrupt prints, by what it stops. */
const STOPPING: Readonly<Record<StopStage, (signal: string) => string>> = {
  // The error the command then ends with says it (`interrupted`, nothing was sent).
  waiting: () => '',
  reporting: (signal) => `\nStopping (${signal}): the run is over; a report still waiting for its reader is given up, then the summary. Press Ctrl-C again to exit at once.\n`,
  running: (signal) =>
    `\nStopping (${signal}): no new calls; waiting for the calls in flight (at most ${DEFAULT_IN_FLIGHT_GRACE_MS / 1000} s, then they are cancelled), then the summary and the report. Press Ctrl-C again to exit at once.\n`,
};

/**
 * Turns interrupts into a stop: the first aborts `signal` (the engine stops sending new
 * calls, lets calls in flight finish — cancelling those still without an answer after the
 * kit's `DEFAULT_IN_FLIGHT_GRACE_MS` — and the CLI prints the summary and writes the
 * report); the second calls `exitNow(130)` at once, after `beforeExit`'s callback (the
 * summary, once there is one). While the report waits for a named pipe's reader, an
 * interrupt (the first, or the second when the first stopped the run) aborts `reportSignal`
 * instead: the report is given up and the summary printed; one more exits at once.
 */
export function stopSwitch(interrupts: Interrupts, stderr: NodeJS.WritableStream, exitNow: (code: number) => void): StopSwitch {
  const controller = new AbortController();
  const report = new AbortController();
  let interruptedBy: string | undefined;
  let stage: StopStage = 'running';
  let printBeforeExit: (() => void) | undefined;
  const unlisten = interrupts.listen((signal) => {
    if (stage === 'reporting' && interruptedBy !== undefined && !report.signal.aborted) {
      stderr.write(`\nGiving the report up (${signal} again): the summary follows. Press Ctrl-C again to exit at once.\n`);
      report.abort(interruptedError(signal));
      return;
    }
    if (interruptedBy === undefined) {
      if (stage === 'reporting') report.abort(interruptedError(signal));
      interruptedBy = signal;
      stderr.write(STOPPING[stage](signal));
      controller.abort(interruptedError(signal));
      return;
    }
    stderr.write(`Exiting at once (${signal} again): the report is not written; the state holds what was acknowledged.\n`);
    try {
      printBeforeExit?.();
    } finally {
      exitNow(EXIT.interrupted);
    }
  });
  return {
    signal: controller.signal,
    reportSignal: report.signal,
    beforeExit(print) {
      printBeforeExit = print;
    },
    get interruptedBy() {
      return interruptedBy;
    },
    stage(next) {
      stage = next;
    },
    dispose: unlisten,
  };
}
