import type { SyncProgress } from '@syncmodes/connector-kit';
import { SingleBar } from 'cli-progress';

/**
 * A progress bar on a terminal (cli-progress), or nothing when output is not a TTY.
 * Counts records with a final result against the records the run reports on.
 */
export function progressReporter(stream: NodeJS.WriteStream, enabled: boolean): { update(p: SyncProgress): void; stop(): void } {
  if (!enabled || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream,
    format: '{phase} |{bar}| {percentage}% | {value}/{total} records | ETA {eta_formatted}',
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 200,
  });
  let started = false;
  return {
    update(p) {
      if (p.phase === 'scanning') return;
      if (!started) {
        bar.start(Math.max(p.total, 1), p.processed, { phase: 'syncing' });
        started = true;
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.processed, { phase: p.phase === 'done' ? 'done' : 'syncing' });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
