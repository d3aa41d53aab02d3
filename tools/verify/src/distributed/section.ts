import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { node22Path } from '../../../scripts/node22.mjs';
import type { Profile } from '../profiles';
import { addStats, type VerifyStats } from '../stats';
import type { DistributedFigures } from './scenarios';

const DRIVER = fileURLToPath(new URL('./driver.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * The distributed check: runs `driver.ts` in its own process under a Node ≥ 22.12 (this one
 * when it is, else one from `tools/scripts/node22.mjs`), since the workers' pg-boss 12
 * declares it, and adds its counts to `stats`. A driver that dies without a result is a
 * violation, never a pass.
 */
export async function runDistributed(profile: Profile, stats: VerifyStats, log: (line: string) => void): Promise<DistributedFigures> {
  const child = spawn(node22Path(), ['--conditions=@syncmodes/source', '--import', 'tsx', DRIVER, String(profile.distributedRows)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += String(d)));
  child.stderr.on('data', (d: Buffer) => {
    stderr += String(d);
    const lines = stderr.split('\n');
    stderr = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('  ')) log(line);
  });
  const code = await new Promise<number | string>((resolve) => child.on('exit', (c, signal) => resolve(c ?? signal ?? -1)));
  const last = stdout.trim().split('\n').pop() ?? '';
  try {
    const result = JSON.parse(last) as { stats: VerifyStats; figures: DistributedFigures };
    addStats(stats, result.stats);
    return result.figures;
  } catch {
    stats.violations.push(`distributed: the driver process exited (${code}) without a result: ${(stderr || stdout).slice(-2000)}`);
    return {};
  }
}
