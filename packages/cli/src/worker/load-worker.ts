import type * as WorkerPackage from '@syncmodes/worker';
import { UsageError } from '../registry/exit-codes';

/** The Node the workers need (pg-boss 12 declares `node >= 22.12`). */
export const WORKER_NODE = '22.12';

/** True when this Node is at least 22.12. */
export function isWorkerNode(version = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 22 || (major === 22 && minor >= 12);
}

/**
 * Loads `@syncmodes/worker` (pg-boss 12) for `syncmodes worker | schedule | enqueue`, only
 * on a Node it supports, so `syncmodes sync` and the rest never load it.
 *
 * @throws {@link UsageError} `node_too_old` on Node < 22.12 (naming the version needed), or
 *   `worker_not_installed` when the package is missing.
 */
export async function loadWorker(command: string, version = process.versions.node): Promise<typeof WorkerPackage> {
  if (!isWorkerNode(version)) {
    throw new UsageError(
      `syncmodes ${command} needs Node ${WORKER_NODE} or later (its queue, pg-boss 12, requires it); this is Node ${version}. Run it with Node 22 (e.g. npx -p node@22 node $(which syncmodes) ${command} …). Everything else, including syncmodes sync --state postgres://…, works on Node 20.`,
      'node_too_old',
    );
  }
  try {
    return await import('@syncmodes/worker');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (error as { code?: string }).code === 'MODULE_NOT_FOUND') {
      throw new UsageError(`syncmodes ${command} needs the @syncmodes/worker package: npm install @syncmodes/worker (Node ${WORKER_NODE}+).`, 'worker_not_installed');
    }
    throw error;
  }
}
