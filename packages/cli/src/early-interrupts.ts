import type { Interrupts } from './run/interrupts';

/** {@link Interrupts} caught from the start of the process, until a command takes them or hands them back. */
export interface EarlyInterrupts extends Interrupts {
  /**
   * For a command that does not stop on interrupts (everything but `sync`): stops catching
   * them, and re-sends to the process a signal that came while they were caught, so it
   * ends as it would have without them (the OS default). Idempotent.
   */
  release(): void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * Catches Ctrl-C (SIGINT) and SIGTERM from the first line of the `syncmodes` bin, before
 * the CLI's modules are loaded (about half a second: until then Node would end the process
 * at once, printing nothing and writing no report). A signal that comes before a command
 * listens is kept, and handed to the first listener (`sync`'s stop switch: it stops the run
 * — summary, report, exit 130); later ones go to the listeners. This module imports nothing
 * at run time, so the bin can load it first.
 *
 * Signals that come while Node itself is still starting, before the bin's first line runs
 * (tens of ms), still get the OS default.
 */
export function catchEarlyInterrupts(): EarlyInterrupts {
  const pending: string[] = [];
  const listeners = new Set<(signal: string) => void>();
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (listeners.size === 0) pending.push(signal);
      else for (const listener of [...listeners]) listener(signal);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  let released = false;
  return {
    listen(onInterrupt) {
      listeners.add(onInterrupt);
      for (const signal of pending.splice(0)) onInterrupt(signal);
      return () => listeners.delete(onInterrupt);
    },
    release() {
      if (released) return;
      released = true;
      for (const [signal, handler] of handlers) process.off(signal, handler);
      const first = pending.splice(0)[0];
      if (first !== undefined) process.kill(process.pid, first);
    },
  };
}
