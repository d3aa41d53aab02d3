import type { RunListing } from '@syncmodes/connector-kit';
import Table from 'cli-table3';
import { escapeControl as safe } from './safe-text';

const fmt = (n: number) => n.toLocaleString('en-US');
const seconds = (run: RunListing) => (run.finishedAt === undefined ? '…' : `${((run.finishedAt - run.startedAt) / 1000).toFixed(1)} s`);
const calls = (run: RunListing) => fmt(Object.values(run.calls).reduce((a, b) => a + b, 0));

/**
 * `syncmodes runs`: one line per run, newest first — when, which sync, how it ended, counts by
 * outcome, API calls. Text from the run history (the sync's name, ids, codes) has its control
 * characters escaped (see `escapeControl`): the table goes to a terminal.
 */
export function formatRuns(runs: readonly RunListing[]): string {
  if (runs.length === 0) return 'No runs recorded yet.';
  const table = new Table({
    head: ['run', 'started (UTC)', 'sync', 'destination', 'mode', 'status', 'time', 'created', 'updated', 'deleted', 'unchanged', 'skipped', 'failed', 'calls'],
    style: { head: [], border: [] },
    colAligns: ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  });
  for (const r of runs) {
    const status = r.reason ? `${r.status} (${r.reason.code})` : r.status;
    table.push([
      safe(r.runId),
      new Date(r.startedAt).toISOString().replace('T', ' ').slice(0, 19),
      safe(r.syncName),
      safe(r.destination),
      safe(r.mode),
      safe(status),
      seconds(r),
      fmt(r.counts.created),
      fmt(r.counts.updated),
      fmt(r.counts.deleted),
      fmt(r.counts.unchanged),
      fmt(r.counts.skipped),
      fmt(r.counts.failed),
      calls(r),
    ]);
  }
  return table.toString();
}
