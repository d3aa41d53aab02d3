/**
 * `npx tsx --conditions=@syncmodes/source tools/bench/memory-probe.ts <rows> [options]`: the
 * memory of the benchmark's million-row Salesforce run, on its own and at any size — a
 * first run of `rows` generated records into an empty org (Bulk API 2.0 above 10,000),
 * then the unchanged rerun on its state, each in a process of its own without a heap cap
 * (as a user starts it), printing peak RSS and the largest V8 heap in use (sampled every
 * 50 ms). The emulator runs in this process, as in `bench.ts`; the measured processes run
 * the bench's `worker.ts`, bundled from the packages' sources (`--dist`: on their built
 * `dist/`, as `npm run bench` does, after `npm run build`).
 *
 *   --csv               read the records from a CSV file (the kit's CSV source) instead of
 *                       generating them in the process
 *   --no-rerun          only the first run
 *   --heap-cap <MB>     run with --max-old-space-size (what the run needs, not what it takes)
 *   --snapshot-at <MB>  write a heap snapshot the first time the heap in use passes this,
 *                       and print what it holds by constructor (`heap-summary.ts`)
 *   --per <n>           bytes per record in that summary are per n records (default: rows)
 *   --retainers <names> with --snapshot-at: what holds these constructors (comma-separated)
 *   --alloc-profile     sample every allocation (collected objects included) and print the
 *                       functions that allocate most (self size), e.g. to find what grows the
 *                       old generation
 *   --old-only          with --alloc-profile: only what outlived V8's young generation (was
 *                       promoted, or allocated large) — what makes V8 grow its heap
 *   --set <key=value>   a destination config setting (a number or a word), e.g. bulkJobSize=25000;
 *                       repeatable
 *   --dist              measure the built packages instead of their sources
 *   --node <flag>       a Node.js flag for the measured processes (e.g. --trace-gc); repeatable
 *
 * Not a test: nothing here asserts on memory.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeBenchCsv } from './csv-file';
import { build, type Plugin } from 'esbuild';
import { salesforceBench } from './destinations/salesforce';
import { printSummary } from './heap-summary';
import type { WorkerJob, WorkerResult } from './worker';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    csv: { type: 'boolean', default: false },
    'no-rerun': { type: 'boolean', default: false },
    'heap-cap': { type: 'string' },
    'snapshot-at': { type: 'string' },
    per: { type: 'string' },
    retainers: { type: 'string' },
    dist: { type: 'boolean', default: false },
    'alloc-profile': { type: 'boolean', default: false },
    'old-only': { type: 'boolean', default: false },
    node: { type: 'string', multiple: true },
    set: { type: 'string', multiple: true },
  },
});
const rows = Number((positionals[0] ?? '200000').replace(/_/g, ''));
if (!Number.isInteger(rows) || rows <= 0) {
  console.error('usage: npx tsx --conditions=@syncmodes/source tools/bench/memory-probe.ts <rows> [--csv] [--no-rerun] [--heap-cap MB] [--snapshot-at MB [--per n] [--retainers names]] [--dist]');
  process.exit(2);
}

/** Third-party packages stay imports; the workspace's packages are bundled from their sources (unless `--dist`). */
const workspaceOnly: Plugin = {
  name: 'workspace-only',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@syncmodes/') ? undefined : { path: args.path, external: true }));
  },
};

async function bundleWorker(): Promise<string> {
  const outfile = join(root, `.syncmodes/bench/memory-worker${values.dist ? '-dist' : ''}.mjs`);
  await build({
    entryPoints: [join(here, 'worker.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    ...(values.dist ? { packages: 'external' as const } : { conditions: ['@syncmodes/source'], plugins: [workspaceOnly] }),
  });
  return outfile;
}

function runWorker(workerPath: string, job: WorkerJob, heapCapMb?: number): Promise<WorkerResult> {
  return new Promise((done, fail) => {
    const child = fork(workerPath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...(heapCapMb ? [`--max-old-space-size=${heapCapMb}`] : []), ...(values.node ?? [])] });
    let settled = false;
    child.once('message', (m: { ok: boolean; result?: WorkerResult; error?: string }) => {
      settled = true;
      if (m.ok && m.result) done(m.result);
      else fail(new Error(`worker failed: ${m.error}`));
    });
    child.once('exit', (code) => !settled && fail(new Error(`worker exited with ${code} before answering (out of memory?)`)));
    child.send(job);
  });
}

const mb = (v: number) => `${v.toFixed(0)} MB`;

interface ProfileNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** The functions that allocated most in a `.heapprofile` (self size, all samples), as a markdown table. */
function topAllocators(file: string, count: number, per: number): string {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };
  const self = new Map<string, number>();
  const visit = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? ` (${url.replace(/^.*\/(node_modules|packages)\//, '').replace(/^file:\/\//, '')}:${lineNumber + 1})` : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child);
  };
  visit(head);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const lines = ['| function (self allocation) | MB | share | bytes/record |', '|---|---:|---:|---:|'];
  for (const [name, bytes] of [...self].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    lines.push(`| ${name.replace(/\|/g, '\\|')} | ${(bytes / 2 ** 20).toFixed(0)} | ${((bytes / total) * 100).toFixed(1)}% | ${(bytes / per).toFixed(0)} |`);
  }
  lines.push(`| total | ${(total / 2 ** 20).toFixed(0)} | 100% | ${(total / per).toFixed(0)} |`);
  return lines.join('\n');
}

/** `--set key=value` settings: numbers as numbers, `true`/`false` as booleans. */
const settings = Object.fromEntries(
  (values.set ?? []).map((pair) => {
    const [key, value = ''] = pair.split('=', 2) as [string, string | undefined];
    return [key, /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value === 'true' ? true : value === 'false' ? false : value];
  }),
);

async function main(): Promise<void> {
  const workerPath = await bundleWorker();
  const work = mkdtempSync(join(tmpdir(), 'syncmodes-memory-'));
  const heapCap = values['heap-cap'] ? Number(values['heap-cap']) : undefined;
  const snapshotAt = values['snapshot-at'] ? Number(values['snapshot-at']) : undefined;
  const emulator = await salesforceBench.startEmulator({});
  try {
    const csv = values.csv ? await writeBenchCsv(salesforceBench, join(work, 'records.csv'), rows) : undefined;
    const stateFile = join(work, 'state.sqlite');
    const steps = values['no-rerun'] ? (['first'] as const) : (['first', 'rerun'] as const);
    console.log(`memory-probe: ${rows.toLocaleString('en')} records (${csv ? 'CSV file' : 'generated'}), Salesforce additive into an empty org, ${values.dist ? 'built packages' : 'sources'}${heapCap ? `, heap capped at ${heapCap} MB` : ', no heap cap'}${values.set ? `, ${values.set.join(', ')}` : ''}`);
    for (const step of steps) {
      let heapSnapshot: WorkerJob['heapSnapshot'];
      if (snapshotAt) {
        mkdirSync(join(root, '.syncmodes/bench'), { recursive: true });
        heapSnapshot = { atMb: snapshotAt, path: join(root, `.syncmodes/bench/memory-${rows}-${step}.heapsnapshot`) };
      }
      emulator.server.clearRequests();
      const allocationProfile = values['alloc-profile'] ? join(root, `.syncmodes/bench/memory-${rows}-${step}.heapprofile`) : undefined;
      if (allocationProfile) mkdirSync(dirname(allocationProfile), { recursive: true });
      const job: WorkerJob = { entry: 'salesforce', kind: 'kit', url: emulator.url, mode: 'additive', from: 0, to: rows, version: 1, stateFile, shape: {}, csv, heapSnapshot, allocationProfile, allocationProfileOld: values['old-only'], config: settings };
      const r = await runWorker(workerPath, job, heapCap);
      emulator.server.clearRequests();
      const counts = Object.entries(r.counts).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ');
      console.log(
        `${step.padEnd(5)}  peak RSS ${mb(r.maxRssMb)}  peak heap ${mb(r.heapPeakMb)}  ${(r.durationMs / 1000).toFixed(1)} s  ${r.requests ?? 0} requests  ${counts}${r.status !== 'completed' ? `  ${r.status}: ${r.reason}` : ''}`,
      );
      const p = r.atPeakRss;
      if (p) console.log(`       at the largest RSS sampled (${mb(p.rss)}): V8 heap ${mb(p.heapUsed)} used of ${mb(p.heapTotal)}, external ${mb(p.external)} (array buffers ${mb(p.arrayBuffers)})`);
      if (allocationProfile) {
        console.log(`\nallocation profile: ${allocationProfile}\n`);
        console.log(topAllocators(allocationProfile, 30, rows));
        console.log('');
      }
      if (r.heapSnapshot) {
        console.log(`\nheap snapshot at ${snapshotAt} MB in use: ${r.heapSnapshot}\n`);
        printSummary(r.heapSnapshot, { top: 30, per: values.per ? Number(values.per) : rows, retainers: values.retainers?.split(',') });
        console.log('');
      }
    }
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
