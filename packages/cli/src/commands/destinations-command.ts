import { configFields } from '@syncmodes/connector-kit';
import Table from 'cli-table3';
import { Command } from 'commander';
import { destinationEntries } from '../registry/destinations';
import type { CliIo } from '../run/run-sync-job';

/** `syncmodes destinations`: lists destinations with their modes, default mode and options. */
export function destinationsCommand(io: CliIo): Command {
  return new Command('destinations')
    .description('List the destinations, their sync modes (* = default) and options.')
    .action(async () => {
      const table = new Table({ head: ['destination', 'package', 'modes', 'options (secrets from env)'], style: { head: [], border: [] }, wordWrap: true, colWidths: [14, 24, 26, 60] });
      for (const entry of destinationEntries()) {
        const d = await entry.load();
        const modes = d.syncModes.map((m) => (m === d.defaultSyncMode || d.syncModes.length === 1 ? `${m}*` : m)).join(', ');
        const options = configFields(d.configSchema)
          .map((f) => (f.meta.secret ? `${f.key} ($${f.meta.env ?? '?'})` : `${f.key}${f.optional ? '' : ' (required)'}`))
          .join(', ');
        table.push([d.id, entry.packageName, modes, options]);
      }
      io.stdout.write(`${table.toString()}\n`);
    });
}
