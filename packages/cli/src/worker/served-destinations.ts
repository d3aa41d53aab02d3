import { configFields, type AnyDestination } from '@syncmodes/connector-kit';
import { UsageError } from '../registry/exit-codes';

/** A destination a worker could serve: its id and its definition (for the secrets it needs). */
export interface ServableDestination {
  readonly id: string;
  readonly destination: AnyDestination;
}

/** The destinations a worker takes runs of, and those it leaves to other workers (with why). */
export interface ServedDestinations {
  readonly destinations: readonly string[];
  /** Left out because a secret they need is not in this environment (only when `--destinations` was not given). */
  readonly skipped: readonly { readonly id: string; readonly missing: readonly string[] }[];
}

/**
 * The environment variables of the destination's required secrets that `env` does not set. A
 * required secret with no variable (a plugin's) can never be given to a stored sync's run (its
 * secrets come from the environment only): named as `<key> (no environment variable)`.
 */
function missingSecrets(destination: AnyDestination, env: Readonly<Record<string, string | undefined>>): string[] {
  return configFields(destination.configSchema)
    .filter((f) => f.meta.secret && !f.optional)
    .filter((f) => f.meta.env === undefined || env[f.meta.env] === undefined || env[f.meta.env] === '')
    .map((f) => f.meta.env ?? `${f.key} (no environment variable)`);
}

/**
 * Which destinations' runs a worker takes. A stored sync's secrets come from the worker's
 * environment only, so a worker without them could take a run only to fail it
 * `missing_secret` and dead-letter it while a worker that has them sat idle (fresh helper 107,
 * M5). Without `--destinations` (`named` undefined), every destination known here whose
 * required secrets are set; the others are listed in `skipped`. Named destinations must each
 * have theirs.
 *
 * @throws {@link UsageError} `missing_secret` naming the variables to set: for a named
 *   destination without its secrets, or when no destination known here has them.
 */
export function servedDestinations(known: readonly ServableDestination[], named: readonly string[] | undefined, env: Readonly<Record<string, string | undefined>>): ServedDestinations {
  const chosen = named === undefined ? known : known.filter((d) => named.includes(d.id));
  const lacking = chosen.map((d) => ({ id: d.id, missing: missingSecrets(d.destination, env) })).filter((d) => d.missing.length > 0);
  const describe = (list: typeof lacking) => list.map((d) => `${d.id} needs ${d.missing.join(', ')}`).join('; ');
  if (named !== undefined && lacking.length > 0) {
    throw new UsageError(`This worker could take no run of ${lacking.map((d) => d.id).join(', ')}: its secrets come from this environment, and ${describe(lacking)}. Set them, or leave the destination out of --destinations.`, 'missing_secret');
  }
  const destinations = chosen.filter((d) => !lacking.some((l) => l.id === d.id)).map((d) => d.id);
  if (destinations.length === 0) {
    throw new UsageError(`No destination's secrets are set in this environment, so this worker could run nothing (${describe(lacking)}). Set the variables of the destinations it should serve.`, 'missing_secret');
  }
  return { destinations, skipped: lacking };
}

/**
 * Loads the destinations a worker may serve: the named ones (`--destinations`; a failure to
 * load one is thrown), else every one known here — a plugin that cannot be loaded is then
 * left out and named through `warn`, not allowed to stop the worker (fresh reviewer 110, F5:
 * one broken plugin stopped every worker, even those not serving it).
 */
export async function loadServable(
  entries: readonly { readonly id: string; load(): Promise<AnyDestination> }[],
  named: readonly string[] | undefined,
  warn: (line: string) => void,
): Promise<ServableDestination[]> {
  const servable: ServableDestination[] = [];
  for (const entry of entries.filter((e) => named === undefined || named.includes(e.id))) {
    try {
      servable.push({ id: entry.id, destination: await entry.load() });
    } catch (error) {
      if (named !== undefined) throw error;
      warn(`not taking runs of ${entry.id}: its package could not be loaded (${(error as Error).message})`);
    }
  }
  return servable;
}
