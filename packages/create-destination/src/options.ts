import { names } from './names';
import { UsageError } from './usage-error';

/** The sync modes, in the order the kit lists them. */
export const SYNC_MODES = ['sync', 'additive', 'enrich'] as const;
/** A sync mode's name. */
export type SyncModeName = (typeof SYNC_MODES)[number];

/**
 * Which package to write: `standalone`, a package of its own with its own tsconfig, tsup
 * and vitest configs and the kit as a peer dependency (what `create-syncmodes-destination`
 * writes); `monorepo`, a package of the syncmodes repository (what its Nx generator writes:
 * the shared configs, the `@syncmodes/source` condition).
 */
export type Flavour = 'standalone' | 'monorepo';

/** What the user asks for; everything but the id has a default. */
export interface DestinationInput {
  /** Destination id, as `--to <id>` takes it: lowercase letters, digits and `-`. */
  readonly name: string;
  /** Name shown to users. Default: the id in words, capitalised (`my-crm` → `My Crm`). */
  readonly displayName?: string | undefined;
  /** npm name. Default: `syncmodes-destination-<id>` (standalone), `@syncmodes/<id>` (monorepo). */
  readonly packageName?: string | undefined;
  /** Comma-separated sync modes the destination can honour. Default: all three. */
  readonly modes?: string | undefined;
  /** The mode used when a user gives none. Default: `additive` when supported, else the first. */
  readonly defaultMode?: string | undefined;
}

/** The checked options, with every spelling the templates use. */
export interface DestinationOptions {
  readonly flavour: Flavour;
  readonly name: string;
  readonly packageName: string;
  readonly displayName: string;
  readonly className: string;
  readonly propertyName: string;
  /** The environment variable holding the API key (`MY_CRM_API_KEY`). */
  readonly envVar: string;
  readonly modes: readonly SyncModeName[];
  readonly defaultMode: SyncModeName;
  /** The modes left out (the definition gives a reason for each). */
  readonly unsupported: readonly SyncModeName[];
}

/** What the `syncmodes` CLI finds as a plugin: `syncmodes-destination-<id>` or `@<scope>/syncmodes-destination-<id>`. */
const PLUGIN_NAME = /^(?:@[a-z0-9][a-z0-9._-]*\/)?syncmodes-destination-([a-z][a-z0-9-]*)$/;
const ID = /^[a-z][a-z0-9-]*$/;

function parseModes(input: string | undefined): SyncModeName[] {
  const asked = (input ?? SYNC_MODES.join(','))
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  for (const m of asked) if (!(SYNC_MODES as readonly string[]).includes(m)) throw new UsageError(`Unknown sync mode "${m}": use ${SYNC_MODES.join(', ')}.`);
  if (asked.length === 0) throw new UsageError('A destination supports at least one sync mode.');
  return SYNC_MODES.filter((m) => asked.includes(m));
}

/**
 * Checks and completes what the user asked for.
 *
 * @throws UsageError (`usage_error`) for an id that is not lowercase letters, digits and
 *   `-`; an unknown mode; a default mode that is not among the modes; a standalone
 *   package name the `syncmodes` CLI would not find as a plugin.
 */
export function resolveOptions(input: DestinationInput, flavour: Flavour): DestinationOptions {
  const name = input.name.trim();
  if (!ID.test(name)) throw new UsageError(`Destination id "${name}" must be lowercase letters, digits and - (e.g. hubspot).`);
  const modes = parseModes(input.modes);
  const defaultMode = (input.defaultMode ?? (modes.includes('additive') ? 'additive' : modes[0])) as SyncModeName;
  if (!modes.includes(defaultMode)) throw new UsageError(`The default mode "${defaultMode}" is not among the modes (${modes.join(', ')}).`);
  const packageName = input.packageName ?? (flavour === 'standalone' ? `syncmodes-destination-${name}` : `@syncmodes/${name}`);
  if (flavour === 'standalone' && PLUGIN_NAME.exec(packageName)?.[1] !== name) {
    throw new UsageError(`Package name "${packageName}": the syncmodes CLI finds a destination plugin named syncmodes-destination-${name} or @<scope>/syncmodes-destination-${name}.`);
  }
  const n = names(name);
  return {
    flavour,
    name,
    packageName,
    displayName: input.displayName ?? n.displayName,
    className: n.className,
    propertyName: n.propertyName,
    envVar: `${n.constantName}_API_KEY`,
    modes,
    defaultMode,
    unsupported: SYNC_MODES.filter((m) => !modes.includes(m)),
  };
}
