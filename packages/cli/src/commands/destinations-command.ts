import { configFields, type AnyDestination } from '@syncmodes/connector-kit';
import Table from 'cli-table3';
import { Command } from 'commander';
import { destinationEntries } from '../registry/destinations';
import { otherKitCopy, packageVersion } from '../registry/plugins';
import type { CliIo } from '../run/run-sync-job';

/** What the commands know about where the CLI itself is installed. */
export interface CliContext {
  /** Where the CLI's own `@syncmodes/connector-kit` resolves (to warn about plugins using another copy). */
  readonly ownKitUrl?: string | undefined;
  /** The folder plugins are resolved from (default: the current directory). */
  readonly cwd?: string | undefined;
}

const modesOf = (d: AnyDestination) => d.syncModes.map((m) => (m === d.defaultSyncMode || d.syncModes.length === 1 ? `${m}*` : m)).join(', ');
const optionsOf = (d: AnyDestination) =>
  configFields(d.configSchema)
    .map((f) => (f.meta.secret ? `${f.key} ($${f.meta.env ?? '?'})` : `${f.key}${f.optional ? '' : ' (required)'}`))
    .join(', ');

/**
 * `syncmodes destinations`: lists the built-in destinations and the third-party ones
 * installed where it runs (packages named `syncmodes-destination-<id>` or
 * `@<scope>/syncmodes-destination-<id>`), with their modes, default mode (*) and options.
 */
export function destinationsCommand(io: CliIo, context: CliContext = {}): Command {
  return new Command('destinations')
    .description('List the destinations (built-in, and plugins installed here: syncmodes-destination-<id>), their sync modes (* = default) and options.')
    .action(async () => {
      const cwd = context.cwd ?? process.cwd();
      const entries = destinationEntries(cwd);
      const packageOf = (entry: (typeof entries)[number]) =>
        entry.plugin ? `${entry.packageName}@${packageVersion(entry.plugin.dir) ?? '?'} (plugin)` : entry.packageName;
      const width = (values: string[], min: number) => Math.max(min, ...values.map((v) => v.length + 2));
      const table = new Table({
        head: ['destination', 'package', 'modes', 'options (secrets from env)'],
        style: { head: [], border: [] },
        wordWrap: true,
        colWidths: [width(entries.map((e) => e.id), 14), width(entries.map(packageOf), 24), 26, 60],
      });
      const problems: string[] = [];
      for (const entry of entries) {
        const pkg = packageOf(entry);
        try {
          const d = await entry.load();
          table.push([d.id, pkg, modesOf(d), optionsOf(d)]);
          const otherKit = entry.plugin ? otherKitCopy(entry.plugin, context.ownKitUrl) : undefined;
          if (otherKit) problems.push(`warning: ${entry.packageName} uses another copy of @syncmodes/connector-kit (${otherKit}); install it in the same project as @syncmodes/cli.`);
        } catch (error) {
          table.push([entry.id, pkg, 'cannot load', (error as Error).message]);
          problems.push(`warning: cannot load ${entry.packageName}: ${(error as Error).message}`);
        }
      }
      io.stdout.write(`${table.toString()}\n* default sync mode (--mode). Options: --option key=value; a destination's README lists each with its default.\n`);
      for (const p of problems) io.stderr.write(`${p}\n`);
    });
}
