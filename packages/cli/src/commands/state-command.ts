import { createInterface } from 'node:readline/promises';
import { SyncRunningError, type StateStore, type SyncListing } from '@syncmodes/connector-kit';
import Table from 'cli-table3';
import { Command } from 'commander';
import { escapeControl as safe } from '../output/safe-text';
import { jsonText } from '../output/write-report';
import { UsageError } from '../registry/exit-codes';
import { openJobState, stateUrlOf } from '../run/job-state';
import { openState } from '../run/open-state';
import { runningRefusal, syncLabel } from '../run/running-refusal';
import type { CliIo } from '../run/run-sync-job';
import type { CommandContext } from './context';

interface StateFlags {
  state?: string;
  stateDir: string;
  json?: boolean;
  yes?: boolean;
}

const when = (ms: number | undefined) => (ms === undefined ? '—' : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
const identityText = (identity: Record<string, unknown>) =>
  Object.entries(identity)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');

/**
 * Finds a sync by its id, its name, or a unique prefix of its id (in that order).
 *
 * @throws {@link UsageError} `unknown_sync` (listing the syncs there are) or
 *   `ambiguous_sync` (listing the candidates: give the id).
 */
export function findSync(syncs: readonly SyncListing[], ref: string): SyncListing {
  const byId = syncs.find((s) => s.syncId === ref);
  if (byId) return byId;
  const named = syncs.filter((s) => s.name === ref);
  const candidates = named.length > 0 ? named : syncs.filter((s) => s.syncId.startsWith(ref.toLowerCase()));
  const describe = (list: readonly SyncListing[]) => list.map((s) => `${s.syncId}${s.name ? ` (${s.name}, ${s.destination})` : ` (${s.destination})`}`).join(', ');
  if (candidates.length === 1) return candidates[0] as SyncListing;
  if (candidates.length > 1) throw new UsageError(`"${ref}" could be ${candidates.length} syncs: ${describe(candidates)}. Give the id.`, 'ambiguous_sync');
  throw new UsageError(`No sync "${ref}" in the state${syncs.length > 0 ? `; there are: ${describe(syncs)}` : ' (it holds no sync)'}.`, 'unknown_sync');
}

function listTable(syncs: readonly SyncListing[]): string {
  const table = new Table({ head: ['sync', 'id', 'destination', 'identity', 'records', 'owned', 'last written'], style: { head: [], border: [] }, colAligns: ['left', 'left', 'left', 'left', 'right', 'right', 'left'] });
  for (const s of syncs) table.push([safe(s.name ?? '—'), s.syncId, s.destination, safe(identityText(s.identity)), s.records.toLocaleString('en-US'), s.owned.toLocaleString('en-US'), when(s.lastWrittenAt)]);
  return table.toString();
}

function showText(s: SyncListing): string {
  const rows: [string, string][] = [
    ['sync', safe(s.name ?? '— (registered before names were kept)')],
    ['id', s.syncId],
    ['destination', s.destination],
    ['identity', safe(identityText(s.identity)) || '—'],
    ['first run', when(s.createdAt)],
    ['last run', when(s.lastRunAt)],
    ['last written', when(s.lastWrittenAt)],
    ['records', `${s.records.toLocaleString('en-US')} in state`],
    ['owned', `${s.owned.toLocaleString('en-US')} created by this sync and still in the source (what sync mode may delete)`],
    ['departed', `${s.departed.toLocaleString('en-US')} left the source and were kept`],
    ['not found', `${s.notFound.toLocaleString('en-US')} looked up and not found`],
    ['pending', `${s.pending.toLocaleString('en-US')} with writes in flight when a run ended (sent again next run)`],
  ];
  return rows.map(([k, v]) => `${k.padEnd(13)}${v}`).join('\n');
}

/** Asks a yes/no question on a terminal; true only for y / yes. */
async function confirm(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin ?? process.stdin, output: io.stderr, terminal: false });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * Runs `fn` on the state store: Postgres when `--state` or `SYNCMODES_DATABASE_URL` names one,
 * else the SQLite file in `--state-dir` (undefined when there is none yet: nothing is created),
 * read from a copy when it cannot be written unless the command writes (`readOnly` false).
 */
async function withState<T>(flags: StateFlags, io: CliIo, fn: (state: StateStore | undefined) => Promise<T>, readOnly = true): Promise<T> {
  const state = stateUrlOf(flags, io.env) === undefined ? openState(flags.stateDir, { create: false, readOnly }) : (await openJobState(flags, io.env)).state;
  try {
    return await fn(state);
  } finally {
    await state?.close();
  }
}

const STATE_DIR = ['--state-dir <dir>', 'where the SQLite state is kept', '.syncmodes'] as const;
const STATE_URL = ['--state <url>', 'Postgres state (postgres://…; default: $SYNCMODES_DATABASE_URL, else SQLite in --state-dir)'] as const;

const STATE_HELP = `
A sync is addressed by its id, its name (--sync-name, or the source file's name), or a unique prefix of its id.
The state is the Postgres database that --state or $SYNCMODES_DATABASE_URL names, else SQLite in --state-dir.
Forgetting a sync removes its state only: the destination is not changed, and the next run of the sync owns
nothing, so sync mode deletes nothing it created before. forget asks for confirmation on a terminal; elsewhere
it needs --yes. A sync that is running (a run holds its lease) is not forgotten (sync_running, exit 3): wait for
that run to finish or stop it; the lease of a run that was killed is taken over once its time to live ends.

Examples:
  syncmodes state list
  syncmodes state show customers
  syncmodes state forget 3f2a --yes`;

function listCommand(context: CommandContext): Command {
  return new Command('list')
    .description('List the syncs: name, id, destination, identity, records, owned, last written.')
    .option(...STATE_DIR)
    .option(...STATE_URL)
    .option('--json', 'print the list as one JSON array on stdout')
    .action((flags: StateFlags) => {
      // Before the state opens: a state that cannot be read is a JSON error on stdout too.
      if (flags.json) context.jsonOutput();
      return withState(flags, context.io, async (store) => {
        const syncs = (await store?.listSyncs()) ?? [];
        if (flags.json) context.io.stdout.write(jsonText(syncs));
        else context.io.stdout.write(syncs.length === 0 ? `No syncs in ${stateUrlOf(flags, context.io.env) ? 'the Postgres state' : safe(flags.stateDir)}.\n` : `${listTable(syncs)}\n`);
      });
    });
}

function showCommand(context: CommandContext): Command {
  return new Command('show')
    .description("Show one sync's details and counts.")
    .argument('<sync>', 'id, name or unique id prefix')
    .option(...STATE_DIR)
    .option(...STATE_URL)
    .option('--json', 'print the sync as one JSON object on stdout')
    .action((ref: string, flags: StateFlags) => {
      if (flags.json) context.jsonOutput();
      return withState(flags, context.io, async (store) => {
        const sync = findSync((await store?.listSyncs()) ?? [], ref);
        context.io.stdout.write(flags.json ? jsonText(sync) : `${showText(sync)}\n`);
      });
    });
}

function forgetCommand(context: CommandContext): Command {
  const { io } = context;
  return new Command('forget')
    .description("Forget one sync's state (the destination is not changed).")
    .argument('<sync>', 'id, name or unique id prefix')
    .option(...STATE_DIR)
    .option(...STATE_URL)
    .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
    .action((ref: string, flags: StateFlags) =>
      withState(flags, context.io, async (store) => {
        const sync = findSync((await store?.listSyncs()) ?? [], ref);
        const label = syncLabel(sync);
        if (!flags.yes) {
          if (!(io.stdin ?? process.stdin).isTTY) throw new UsageError(`Forgetting sync ${label} needs confirmation: run it on a terminal, or add --yes.`, 'confirmation_required');
          if (!(await confirm(io, `Forget sync ${label}? Its state is removed; the destination is not changed. [y/N] `))) {
            io.stderr.write('Nothing forgotten.\n');
            return;
          }
        }
        const removed = await (store as StateStore).forgetSync(sync.syncId).catch((error: unknown) => {
          throw error instanceof SyncRunningError ? runningRefusal(label, error) : error;
        });
        io.stdout.write(`Forgot sync ${label}: ${removed} entries removed. The destination was not changed; the next run of this sync starts over and owns nothing.\n`);
      }, false),
    );
}

/** `syncmodes state list | show <sync> | forget <sync>`: what the state store remembers, per sync. */
export function stateCommand(context: CommandContext): Command {
  return new Command('state')
    .description('List, show or forget the syncs in the state store (what each sync sent and owns).')
    .addHelpText('after', STATE_HELP)
    .addCommand(listCommand(context))
    .addCommand(showCommand(context))
    .addCommand(forgetCommand(context));
}
