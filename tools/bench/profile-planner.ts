/**
 * `tsx tools/bench/profile-planner.ts [records] [--csv]` (after `npm run build`): the profile
 * behind the planning figure of the benchmark. Writes a sync state of `records` generated
 * Salesforce records (default 1,000,000), then runs the unchanged rerun (scan, compare
 * with state, emit; no call reaches the destination) under `--cpu-prof` in a child
 * process and prints its records per second and the functions with the most self time.
 * `--csv`: the records are read from a CSV file of them (the kit's CSV source), as the
 * benchmark's million-row rerun does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvSource, runSync, snapshotHash, SqliteStateStore, type RecordSource, type StateEntry } from '@syncmodes/connector-kit';
import { writeBenchCsv } from './csv-file';
import { salesforceBench } from './destinations/salesforce';

const args = process.argv.slice(2).filter((a) => a !== '--csv');
const fromCsv = process.argv.includes('--csv');
const records = Number(args[0] ?? 1_000_000);
const config = salesforceBench.config('http://127.0.0.1:9', {});
const generated: RecordSource = {
  name: 'generated',
  async *open() {
    for (let i = 0; i < records; i++) yield { kind: 'record', id: `p${i}`, row: i + 1, snapshot: { properties: salesforceBench.properties(i, 1), groups: [] } };
  },
};

/** The rerun itself (in the profiled child): prints `records/s`. */
async function rerun(file: string, csvPath: string | undefined): Promise<void> {
  const source = csvPath ? csvSource(csvPath, { idColumn: 'id', fields: Object.fromEntries(Object.keys(salesforceBench.properties(0, 1)).map((c) => [c, c])) }) : generated;
  const state = new SqliteStateStore(file);
  const started = performance.now();
  const summary = await runSync({ destination: await salesforceBench.destination(), config, source, state, collectResults: false });
  const ms = performance.now() - started;
  state.close();
  console.log(`${summary.counts.unchanged} unchanged of ${records} in ${ms.toFixed(0)} ms = ${((records / ms) * 1000).toFixed(0)} records/s`);
}

/** Writes the state a previous run would have left: every record exported as it is now. */
async function prepare(file: string): Promise<void> {
  const state = new SqliteStateStore(file);
  const empty: RecordSource = { name: 'empty', async *open() {} };
  const { syncId } = await runSync({ destination: await salesforceBench.destination(), config, source: empty, state });
  const batch: StateEntry[] = [];
  for (let i = 0; i < records; i++) {
    const snapshot = { properties: salesforceBench.properties(i, 1), groups: [] };
    batch.push({ recordId: `p${i}`, destinationId: `003${i}`, matchKey: `person${i}@example.com`, snapshot, hash: snapshotHash(snapshot), owned: true, departed: false });
    if (batch.length === 10_000) await state.put(syncId, batch.splice(0));
  }
  await state.put(syncId, batch);
  // What a run that went to its end leaves beside the rows (the index as one blob).
  await state.keepIndex(syncId);
  state.close();
}

/** Self time per function of a `.cpuprofile`, largest first. */
function topSelfTime(dir: string, count: number): string[] {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) as string;
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return;
    const where = frame.url ? ` (${frame.url.replace(/^.*\/(node_modules|packages)\//, '').replace(/^file:\/\//, '')}:${frame.lineNumber + 1})` : '';
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `| ${name} | ${(us / 1000).toFixed(0)} | ${((us / total) * 100).toFixed(1)}% |`);
}

const file = args[1];
if (file) await rerun(file, args[2]);
else {
  const dir = mkdtempSync(join(tmpdir(), 'syncmodes-profile-'));
  const state = join(dir, 'state.sqlite');
  await prepare(state);
  const csv = fromCsv ? (await writeBenchCsv(salesforceBench, join(dir, 'records.csv'), records)).path : undefined;
  const out = execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${join(dir, 'profile')}`, '--import', 'tsx', fileURLToPath(import.meta.url), String(records), state, ...(csv ? [csv] : [])], {
    encoding: 'utf8',
  });
  console.log(out.trim());
  console.log('| function (self time) | ms | share |\n|---|---:|---:|');
  console.log(topSelfTime(join(dir, 'profile'), 24).join('\n'));
  rmSync(dir, { recursive: true, force: true });
}
