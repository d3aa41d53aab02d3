import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SYNC_MODES, resolveOptions, type DestinationOptions } from './options';
import { renderDestination } from './render';
import { UsageError } from './usage-error';
import { writeDestination } from './write';

/** Where the command writes its messages, and the folder it runs in. */
export interface CreateIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly cwd: string;
}

const GUIDE = 'https://github.com/syncmodes/syncmodes/blob/main/docs/plugin-authors.md';

const HELP = `Usage: create-syncmodes-destination <id> [options]
       npm create syncmodes-destination <id> -- [options]

Writes a new syncmodes destination package into a new folder: the definition, a zod
config, verbs, an emulator of a small contacts API, the kit's conformance suite and a
README, with its own tsconfig, tsup and vitest configs. Its tests pass as written.

  <id>                    destination id, as \`syncmodes sync --to <id>\` takes it (lowercase letters, digits, -)
  --dir <folder>          where to write it (default: the package name without its scope); must be new or empty
  --package-name <name>   npm name (default: syncmodes-destination-<id>; or @<scope>/syncmodes-destination-<id>)
  --display-name <name>   the name users see (default: the id, capitalised)
  --modes <list>          the sync modes it can honour, comma-separated (default: ${SYNC_MODES.join(',')})
  --default-mode <mode>   the mode used when a user gives none (default: additive when supported, else the first)
  -h, --help              this help
  -v, --version           this package's version

Exit codes: 0 written · 2 usage error (nothing written). Guide: ${GUIDE}
`;

function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** What to do once the package is written. */
function nextSteps(o: DestinationOptions, folder: string): string {
  return [
    `Created ${o.packageName} (${o.displayName}; modes ${o.modes.join(', ')}, default ${o.defaultMode}) in ${folder}. Next:`,
    `  cd ${folder}`,
    '  npm install        # until @syncmodes/* is on your registry: npm i -D <path to>/syncmodes-connector-kit-<version>.tgz',
    '  npm test           # the conformance suite in every mode, against the emulator',
    '  npm run typecheck && npm run lint && npm run build && npm run check-package',
    `Then model the vendor's API in src/emulator and the verbs: ${GUIDE}`,
    '',
  ].join('\n');
}

/**
 * `create-syncmodes-destination <id> [options]` (and `npm create syncmodes-destination`).
 *
 * @returns the exit code: 0 written, 2 usage error (nothing written; the message says why).
 */
export async function main(argv: readonly string[], io: CreateIo = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        'package-name': { type: 'string' },
        'display-name': { type: 'string' },
        modes: { type: 'string' },
        'default-mode': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
    if (values.help || values.version) {
      io.stdout.write(values.help ? HELP : `${version()}\n`);
      return 0;
    }
    const [id, ...extra] = positionals;
    if (id === undefined) throw new UsageError('Give the destination id: create-syncmodes-destination <id> (e.g. hubspot). --help lists the options.');
    if (extra.length > 0) throw new UsageError(`One destination id at a time (got ${positionals.join(', ')}).`);
    const options = resolveOptions({ name: id, packageName: values['package-name'], displayName: values['display-name'], modes: values.modes, defaultMode: values['default-mode'] }, 'standalone');
    const dir = resolve(io.cwd, values.dir ?? options.packageName.replace(/^@[^/]+\//, ''));
    writeDestination(dir, renderDestination(options));
    io.stdout.write(nextSteps(options, relative(io.cwd, dir) || '.'));
    return 0;
  } catch (error) {
    const known = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (!known) throw error;
    io.stderr.write(`create-syncmodes-destination: ${(error as Error).message}\n`);
    return 2;
  }
}
