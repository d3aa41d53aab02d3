#!/usr/bin/env node
// A Node ≥ 22.12 for what needs it (the workers: pg-boss 12 declares node >= 22.12), while
// the rest of the workspace runs on the machine's Node 20. Used as a module
// (`node22Path()`) and as a launcher: `node tools/scripts/node22.mjs <script> [args…]` runs
// the script under that Node, with the same stdio, and exits with its code.
//
// Which Node: this one when it is ≥ 22.12; else $SYNCMODES_NODE22 (a path to a node
// binary); else the `node` package's platform binary from the npm registry
// (`npx -y -p node@22`, ~20–50 s the first time, then from npx's cache).
import { execFileSync, spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MIN = [22, 12];

/** True when a `vMAJOR.MINOR.PATCH` version is at least 22.12. */
export function isNode22(version) {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  return major > MIN[0] || (major === MIN[0] && minor >= MIN[1]);
}

let cached;

/** The path of a Node ≥ 22.12 binary (see the header). Throws when none can be had. */
export function node22Path() {
  if (cached) return cached;
  if (isNode22(process.version)) return (cached = process.execPath);
  const fromEnv = process.env.SYNCMODES_NODE22;
  const candidate =
    fromEnv ||
    execFileSync('npx', ['-y', '-p', 'node@22', 'node', '-p', 'process.execPath'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    }).trim();
  const version = execFileSync(candidate, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  if (!isNode22(version)) throw new Error(`${candidate} is Node ${version}; the workers need Node >= 22.12.`);
  return (cached = candidate);
}

const invoked = process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invoked) {
  let node;
  try {
    node = node22Path();
  } catch (error) {
    console.error(`Cannot get a Node >= 22.12 for the worker tests: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  const child = spawn(node, process.argv.slice(2), { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
