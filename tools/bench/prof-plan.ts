import { runSync, SqliteStateStore, snapshotHash } from '@syncmodes/connector-kit';
import { rmSync } from 'node:fs';
import { salesforceBench } from './destinations/salesforce';
const n = Number(process.argv[2] ?? 200000);
const file = '/tmp/bench-scratch/plan.sqlite';
const dest = await salesforceBench.destination();
const config = salesforceBench.config('http://127.0.0.1:9', {});
const source = { name: 'g', async *open() { for (let i = 0; i < n; i++) yield { kind: 'record' as const, id: `p${i}`, row: i + 1, snapshot: { properties: salesforceBench.properties(i, 1), groups: [] } }; } };
if (process.argv[3] === 'prepare') {
  rmSync(file, { force: true });
  const state = new SqliteStateStore(file);
  // Learn the sync id from a dry run of one record.
  let syncId = '';
  await runSync({ destination: dest, config, source: { name: 'x', async *open() {} }, state, collectResults: false, logger: { debug() {}, info() {}, warn() {}, error() {} }, onProgress: () => {} }).then((s) => (syncId = s.syncId));
  state.registerSync({ syncId, destination: 'salesforce', identity: {} });
  const batch = [];
  for (let i = 0; i < n; i++) {
    const snapshot = { properties: salesforceBench.properties(i, 1), groups: [] };
    batch.push({ recordId: `p${i}`, destinationId: `003${i}`, matchKey: `person${i}@example.com`, snapshot, hash: snapshotHash(snapshot), owned: true, departed: false });
    if (batch.length === 10000) { state.put(syncId, batch); batch.length = 0; }
  }
  state.put(syncId, batch);
  state.close();
  console.log('prepared', syncId);
} else {
  const state = new SqliteStateStore(file);
  const t0 = performance.now();
  const s = await runSync({ destination: dest, config, source, state, collectResults: false });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(); console.log('cpu', ((cpu.user + cpu.system) / 1000).toFixed(0), 'ms'); console.log(s.counts, ms.toFixed(0), 'ms', ((n / ms) * 1000).toFixed(0), 'rec/s', 'rss', (process.resourceUsage().maxRSS / 1024).toFixed(0));
  state.close();
}
