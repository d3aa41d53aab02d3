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
 * Signals that come while Node itself is still starting, before the bin's first line runs,
 * still get the OS default (the process ends by the signal, 143 for SIGTERM): no JavaScript
 * runs then, and Node resets every signal's disposition when it starts, so nothing a
 * package or its parent sets can catch them. That window is Node's own start-up: 40–50 ms
 * on an idle machine, 0.1–0.2 s on a busy one (`node -e 0` alone took 0.11–0.17 s at load
 * 4 on a 2-core machine); loading this module first adds no measurable time to it (medians
 * 122–130 ms with it, 122–124 ms with the handlers written inline in the bin, 15 runs each).
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
