import type { SyncProgress } from '@syncmodes/connector-kit';
import cliProgress, { type Options, type Params } from 'cli-progress';

// cli-progress is CommonJS: Node's ESM loader cannot see `Format` as a named export.
const { Format, SingleBar } = cliProgress;

/** Progress as the engine reports it. `waiting`: the run holds every call for a rate limit for `waitMs` (ms) from now, or (`reason: 'timeout'`) resends a request that got no answer in time. */
export type RunProgress = SyncProgress;

/**
 * What the run is waiting on: a rate limit until `until` (epoch ms), or a request resent after
 * a timeout (retry `retry` of at most `of`); or why it stopped (`stopped`: the stop's code).
 */
export type ProgressWait = { readonly until: number } | { readonly retry: number; readonly of: number } | { readonly stopped: string };

/** What the bar shows after the counts: the time left, the rate-limit wait, the retry of a request that got no answer, or why the run stopped. */
export function progressTail(eta: number, processed: number, wait: ProgressWait | undefined, now = Date.now()): string {
  if (wait && 'stopped' in wait) return `stopped (${wait.stopped}): the rest is not sent`;
  if (wait && 'until' in wait) return `waiting ${Math.max(0, Math.ceil((wait.until - now) / 1000))} s for the rate limit`;
  if (wait) return `no answer in time: retrying the request (${wait.retry} of at most ${wait.of} retries)`;
  return processed > 0 && Number.isFinite(eta) && eta >= 0 ? 'ETA {eta_formatted}' : 'ETA …';
}

const LINE = '{phase} |{bar}| {percentage}% | {value}/{total} records | ';

/**
 * A progress bar on a terminal (cli-progress), or nothing when output is not a TTY.
 * Counts records with a final result against the records the run reports on; while the
 * run waits for a rate limit it says so, with a countdown, instead of a time left, and while
 * it resends a request that got no answer in time it says that, until the destination
 * answers again. A run that stopped (rate limited, unreachable, interrupted…) says
 * `stopped` and why, never `done`. Draws no colour.
 */
export function progressReporter(stream: NodeJS.WriteStream, enabled: boolean): { update(p: RunProgress): void; stop(): void } {
  if (!enabled || !stream.isTTY) return { update: () => undefined, stop: () => undefined };
  let wait: ProgressWait | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const format = (options: Options, params: Params, payload: Record<string, unknown>) =>
    Format.Formatter({ ...options, format: LINE + progressTail(params.eta, params.value, wait) }, params, payload);
  const bar = new SingleBar({ stream, format, hideCursor: true, clearOnComplete: true, etaBuffer: 200 });
  let started = false;
  const stopTicker = () => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };
  return {
    update(p) {
      if (p.phase === 'scanning') return;
      if (!started) {
        bar.start(Math.max(p.total, 1), p.processed, { phase: 'syncing' });
        started = true;
      }
      if (p.phase === 'stopped') {
        wait = { stopped: p.code ?? 'stopped' };
        stopTicker();
      } else if (p.phase === 'waiting' && p.reason === 'timeout') {
        wait = { retry: p.retry?.retry ?? 1, of: p.retry?.of ?? 1 };
        stopTicker();
      } else if (p.phase === 'waiting') {
        wait = { until: Date.now() + (p.waitMs ?? 0) };
        ticker ??= setInterval(() => bar.update({ phase: 'waiting' }), 1000).unref();
      } else {
        wait = undefined;
        stopTicker();
      }
      bar.setTotal(Math.max(p.total, 1));
      bar.update(p.processed, { phase: p.phase === 'done' || p.phase === 'stopped' || p.phase === 'waiting' ? p.phase : 'syncing' });
    },
    stop() {
      stopTicker();
      if (started) bar.stop();
      started = false;
    },
  };
}
