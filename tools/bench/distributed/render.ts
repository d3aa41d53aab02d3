import type { DistributedBench } from './section';

const n1 = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The distributed section of BENCH.md: limit use and runs per minute by worker count, planning rates by state store. */
export function renderDistributed(d: DistributedBench): string[] {
  const lines = ['## Several workers on Postgres', ''];
  lines.push(
    `6 syncs (3 per Intercom workspace, each workspace its own emulator enforcing ${d.limitPer10s} calls per 10 s) queued at once on 1, 2 and 3 worker processes ` +
      '(pg-boss 12, Node 22; one run at a time per worker, at most 2 per workspace); every worker declares the same limit to the rate limit shared through Postgres. ' +
      'Calls/s are counted by the emulator over the time the workspace had a run in progress.',
    '',
  );
  lines.push('| workers | records per sync | 6 runs in s | runs/min | workspace | calls/s | limit/s | of the limit | answered 429 | records failed (by rate limit) |', '|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const s of d.steps) {
    for (const a of s.accounts) {
      lines.push(
        `| ${s.workers} | ${n1(s.recordsPerSync)} | ${n1(s.wallMs / 1000)} | ${n1(s.runsPerMinute)} | ${a.account} | ${n1(a.callsPerSec)} | ${n1(a.limitPerSec)} | ${n1(a.used * 100)}% | ${a.refused} | ${s.failedRecords} (${s.failedByRateLimit}) |`,
      );
    }
  }
  lines.push('');
  if (d.planning.length > 0) {
    lines.push('Planning rate of an unchanged rerun (Salesforce emulator, no write sent), by state store:', '');
    lines.push('| state | records | first run s | rerun s | records/s | writes in the rerun |', '|---|---:|---:|---:|---:|---:|');
    for (const p of d.planning) lines.push(`| ${p.store} | ${n1(p.records)} | ${n1(p.firstRunMs / 1000)} | ${n1(p.rerunMs / 1000)} | ${n1(p.recordsPerSec)} | ${p.rerunWrites} |`);
    lines.push('');
  }
  return lines;
}
