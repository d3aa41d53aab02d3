import { createRequire } from 'node:module';
import { ConfigError } from '../errors/sync-error';

/**
 * The emulator toolkit's own dependency, `path-to-regexp` (route patterns such as
 * `/contacts/:id`): an optional peer dependency of the kit and of every destination
 * package, so that installing a destination installs no emulator server dependency. The
 * CLI (which runs emulators with `--emulator`) depends on it; so must a project that
 * starts an emulator itself (tests, demos).
 */
export const PATH_TO_REGEXP = { name: 'path-to-regexp', range: '^8.3.0' } as const;

/**
 * Loads an optional peer dependency (CommonJS `require`, from both of the kit's builds).
 *
 * @param peer - the package name and the version range to install.
 * @param neededBy - what needs it, as the message names it ("the syncmodes emulators (…)").
 * @throws ConfigError `missing_optional_dependency` when it is not installed, naming the
 *   package and the command that installs it; any other loading error as it is.
 */
export function requireOptionalPeer<T>(peer: { readonly name: string; readonly range: string }, neededBy: string): T {
  const load = createRequire(import.meta.url);
  try {
    return load(peer.name) as T;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(`'${peer.name}'`);
    if (!missing) throw error;
    throw new ConfigError(
      `Cannot load ${neededBy}: the package ${peer.name} is not installed (an optional peer dependency, needed only there). Install it next to syncmodes: npm install --save-dev ${peer.name}@"${peer.range}"`,
      'missing_optional_dependency',
    );
  }
}
