import { spawn, type ChildProcess } from 'node:child_process';
import { nodeArgsFor } from '../../../../tools/test/prebuilt';
import type { WorkerOptions } from '../../src/index';

const FIXTURE = new URL('../fixtures/worker-process.ts', import.meta.url).pathname;

/** A worker in its own process (this Node, ≥ 22.12), and what it logged. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** `host:pid`, as it names itself in leases and the run history. */
  readonly name: string;
  readonly log: string[];
  /** Resolves with the exit code (or the signal's name) when it exits. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts a worker process and waits until it takes runs. `fixture`: the script it runs (default
 * the test runner's, CSV into the Salesforce emulator; the benchmark has its own), which
 * reads WORKER_OPTIONS and logs `"message":"ready"` when started.
 */
export async function spawnWorker(options: Omit<WorkerOptions, 'runner' | 'logger'>, fixture = FIXTURE): Promise<WorkerProcess> {
  const child = spawn(process.execPath, nodeArgsFor(fixture), {
    env: { ...process.env, WORKER_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log: string[] = [];
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  let name = '';
  await new Promise<void>((resolve, reject) => {
    let buffer = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buffer += String(chunk);
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        log.push(text);
        if (text.includes('"message":"ready"')) {
          name = (JSON.parse(text) as { worker: string }).worker;
          resolve();
        }
      }
    });
    void exited.then((code) => reject(new Error(`the worker process exited (${code}) before it was ready:\n${log.join('\n')}`)));
  });
  return { child, pid: child.pid as number, name, log, exited };
}

/** Kills every worker of `workers` (resuming a paused one first) and empties the list; resolves once each has exited. For `afterEach`. */
export async function stopWorkerProcesses(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers.splice(0)) {
    w.child.kill('SIGCONT');
    w.child.kill('SIGKILL');
    await w.exited;
  }
}
