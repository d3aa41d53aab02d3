import { fork } from 'node:child_process';
import { benchEntry } from './destinations/index';
const id = process.argv[2] ?? 'intercom';
const n = Number(process.argv[3] ?? 3000);
const entry = benchEntry(id);
const em = await entry.startEmulator({});
em.seed([...Array(n).keys()].filter((i) => i % 2 === 0));
const t0 = Date.now();
const child = fork('.syncmodes/bench/worker.mjs', [], { execArgv: ['--cpu-prof', '--cpu-prof-dir=/tmp/bench-scratch/cpuprof-w'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
child.on('message', async (m: { result: { durationMs: number } }) => {
  console.log(id, 'worker duration', m.result.durationMs, 'wall', Date.now() - t0, 'parent cpu', JSON.stringify(process.cpuUsage()));
  await em.stop();
});
child.send({ entry: id, kind: 'kit', url: em.url, mode: 'additive', from: 0, to: n, version: 1, stateFile: `/tmp/bench-scratch/ic-${Date.now()}.sqlite`, shape: {} });
