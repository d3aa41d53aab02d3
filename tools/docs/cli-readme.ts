import { configFields, configJsonSchema, KIT_CODES, type AnyDestination, type CodeInfo } from '@syncmodes/connector-kit';
import { cell, prose } from './kit-readme';
import { fieldsTable } from './render';

const NOTE = (from: string) => `<!-- Generated from ${from} by \`npm run docs\`; do not edit by hand. -->`;
const code = (text: string) => `\`${text}\``;

/** The parts of a commander option the docs read (the CLI's commander is its own dependency). */
interface Option {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: unknown;
  readonly negate: boolean;
  readonly argChoices?: readonly string[] | undefined;
  attributeName(): string;
}

/** The parts of a commander command the docs read. */
interface Command {
  readonly options: readonly Option[];
  readonly registeredArguments: readonly { name(): string; readonly description: string }[];
  readonly commands: readonly Command[];
  name(): string;
  description(): string;
}

/** What the docs need of `@syncmodes/cli` (loaded from its sources). */
export interface CliModule {
  commandTree(): Command;
  readonly syncJobSchema: AnyDestination['configSchema'];
  builtInEntries(): readonly { load(): Promise<AnyDestination> }[];
  withFlags(code: string | undefined, text: string): string;
}

/** Settings whose flag is not their name (`--option` sets `options`). */
const SETTING_OF_FLAG: Readonly<Record<string, string>> = { option: 'options', groupId: 'groupIds' };

function defaultOf(option: Option, settings: Readonly<Record<string, unknown>>): string {
  if (option.negate) return '—';
  const value = option.defaultValue ?? settings[SETTING_OF_FLAG[option.attributeName()] ?? option.attributeName()];
  if (value === undefined || value === false || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)) return '—';
  return code(String(value));
}

function meaningOf(option: Option): string {
  const choices = option.argChoices ? ` (${option.argChoices.map(code).join(', ')})` : '';
  return `${option.description}${choices}`;
}

/** One command's table: its arguments, then its options, as commander holds them. */
function commandTable(command: Command, path: string, settings: Readonly<Record<string, unknown>>): string[] {
  const args = command.registeredArguments.map((a) => `| ${code(`<${a.name()}>`)} (argument) | — | ${prose(a.description)} |`);
  const options = command.options.map((o) => `| ${cell(code(o.flags))} | ${cell(defaultOf(o, settings))} | ${prose(meaningOf(o))} |`);
  const usage = [path, ...command.registeredArguments.map((a) => `<${a.name()}>`), command.options.length > 0 ? '[options]' : ''].filter(Boolean).join(' ');
  const table = args.length + options.length > 0 ? ['| flag | default | meaning |', '|---|---|---|', ...args, ...options] : ['No flags.'];
  return [`#### ${code(usage)}`, '', prose(command.description()), '', ...table];
}

/**
 * Every command's flags (commands with subcommands are followed by theirs), from
 * commander's definitions; a flag's default is commander's, else the setting's default in
 * `defaults` (by command path: `syncmodes sync` → the sync job schema's defaults).
 */
export function renderFlags(root: Command, defaults: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {}): string {
  const out: string[] = [NOTE("the CLI's commander definitions (`commandTree()` in packages/cli/src/program.ts) and the sync job's zod schema"), ''];
  const visit = (command: Command, path: string) => {
    if (command.options.length > 0 || command.registeredArguments.length > 0 || command.commands.length === 0) out.push(...commandTable(command, path, defaults[path] ?? {}), '');
    for (const sub of command.commands) visit(sub, `${path} ${sub.name()}`);
  };
  visit(root, 'syncmodes');
  return out.join('\n').trimEnd();
}

/** Where each built-in destination's secrets come from: one row per secret option. */
export function renderEnvironment(destinations: readonly AnyDestination[]): string {
  const rows = destinations.flatMap((d) =>
    configFields(d.configSchema)
      .filter((f) => f.meta.secret)
      .map((f) => `| ${code(f.meta.env ?? '?')} | ${d.displayName} (${code(d.id)}) | ${code(f.key)} | ${f.optional ? 'no' : 'yes (not with `--emulator`)'} | ${prose(f.meta.description ?? '')} |`),
  );
  return [NOTE("each destination's zod config schema (`secret(…, 'ENV_VAR')`)"), '', '| variable | destination | option | required | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The codes whose advice names a flag on the command line (the kit's names the `runSync` option). */
export function renderFlagHints(withFlags: CliModule['withFlags'], codes: Readonly<Record<string, CodeInfo>> = KIT_CODES): string {
  const rows = Object.entries(codes)
    .filter(([name, info]) => withFlags(name, info.action) !== info.action)
    .map(([name, info]) => `| ${code(name)} | ${prose(withFlags(name, info.action))} | ${prose(info.action)} |`);
  return [NOTE('`KIT_CODES` and the CLI\'s `FLAG_HINTS` (packages/cli/src/output/flag-hints.ts)'), '', '| code | what to do (command line) | in the library |', '|---|---|---|', ...rows].join('\n');
}

/** The settings of a `--config` file, from the sync job's zod schema (the flags' single source of validation and defaults). */
export function renderConfigFile(schema: CliModule['syncJobSchema']): string {
  return [NOTE('the sync job\'s zod schema (`syncJobSchema` in packages/cli/src/run/sync-job.ts)'), '', ...fieldsTable(schema, 'setting')].join('\n');
}

/** The defaults of a zod object schema's fields, by name. */
function schemaDefaults(schema: CliModule['syncJobSchema']): Record<string, unknown> {
  const json = configJsonSchema(schema) as { properties?: Record<string, { default?: unknown }> };
  return Object.fromEntries(Object.entries(json.properties ?? {}).map(([k, v]) => [k, v.default]));
}

/** The CLI README's generated sections, by marker name. */
export async function cliReadmeSections(cli: CliModule): Promise<Record<string, string>> {
  const destinations = await Promise.all(cli.builtInEntries().map((e) => e.load()));
  return {
    'cli-flags': renderFlags(cli.commandTree(), { 'syncmodes sync': schemaDefaults(cli.syncJobSchema) }),
    'config-file': renderConfigFile(cli.syncJobSchema),
    environment: renderEnvironment(destinations),
    'flag-hints': renderFlagHints(cli.withFlags),
  };
}
