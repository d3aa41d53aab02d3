import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { node22Path } from '../../scripts/node22.mjs';
import { startPostgresCluster } from '@syncmodes/postgres/testing';
import { measurePlanning, type PlanningFigures } from './planning-step';
import type { WorkersStep } from './workers-step';

/** What the distributed section measured. */
export interface DistributedBench {
  readonly limitPer10s: number;
  readonly steps: readonly WorkersStep[];
  readonly planning: readonly PlanningFigures[];
}

const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Sizes of the distributed section. */
export interface DistributedSizes {
  /** Generated contacts per sync. */
  readonly recordsPerSync: number;
  /** The limit each workspace's emulator enforces, calls per 10 s. */
  readonly limitPer10s: number;
  readonly workers: readonly number[];
  /** Records of the unchanged rerun whose planning rate is measured (0: skip). */
  readonly planningRecords: number;
}

/**
 * The distributed section: the worker steps in their own process under a Node ≥ 22.12 (this
 * one when it is, else one from `tools/scripts/node22.mjs`: the workers' pg-boss 12 declares
 * it), then the planning rates here (SQLite's native module is built for this Node), each on
 * a throwaway Postgres. Progress lines go to `log`.
 * @throws Error with the driver's output when it gives no result.
 */
export async function runDistributedBench(sizes: DistributedSizes, log: (line: string) => void): Promise<DistributedBench> {
  const steps = await runWorkerSteps(sizes, log);
  let planning: PlanningFigures[] = [];
  if (sizes.planningRecords > 0) {
    const cluster = await startPostgresCluster();
    try {
      planning = await measurePlanning(cluster, sizes.planningRecords);
    } finally {
      cluster.stop();
    }
    for (const p of planning) log(`distributed: unchanged rerun of ${p.records} records, ${p.store} state: ${(p.rerunMs / 1000).toFixed(1)} s = ${p.recordsPerSec.toFixed(0)} records/s (${p.rerunWrites} writes)`);
  }
  return { limitPer10s: sizes.limitPer10s, steps, planning };
}

async function runWorkerSteps(sizes: DistributedSizes, log: (line: string) => void): Promise<WorkersStep[]> {
  const args = [String(sizes.recordsPerSync), String(sizes.limitPer10s), sizes.workers.join(',')];
  const child = spawn(node22Path(), ['--conditions=@syncmodes/source', '--import', 'tsx', DRIVER, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let pending = '';
  let tail = '';
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => {
    tail = (tail + String(d)).slice(-4000);
    const lines = (pending + String(d)).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('[bench')) log(line.replace(/^\[bench distributed [\d:]+\] /, 'distributed: '));
  });
  const code = await new Promise<number | string>((resolve) => child.on('exit', (c, signal) => resolve(c ?? signal ?? -1)));
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as WorkersStep[];
  } catch {
    throw new Error(`the distributed benchmark exited (${code}) without a result:\n${tail}`);
  }
}
