import { configFields, KIT_CODES, type AnyDestination, type CodeInfo } from '@syncmodes/connector-kit';
import { cell } from './kit-readme';

const NOTE = (from: string) => `<!-- Generated from ${from} by \`npm run docs\`; do not edit by hand. -->`;
const code = (text: string) => `\`${text}\``;

/** The parts of a commander option the docs read (the CLI's commander is its own dependency). */
interface Option {
  readonly flags: string;
  readonly description: string;
  readonly defaultValue?: unknown;
  readonly negate: boolean;
  readonly argChoices?: readonly string[] | undefined;
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
  builtInEntries(): readonly { load(): Promise<AnyDestination> }[];
  withFlags(code: string | undefined, text: string): string;
}

function defaultOf(option: Option): string {
  if (option.negate || option.defaultValue === undefined) return '—';
  return code(String(option.defaultValue));
}

function meaningOf(option: Option): string {
  const choices = option.argChoices ? ` (${option.argChoices.map(code).join(', ')})` : '';
  return `${option.description}${choices}`;
}

/** One command's table: its arguments, then its options, as commander holds them. */
function commandTable(command: Command, path: string): string[] {
  const args = command.registeredArguments.map((a) => `| ${code(`<${a.name()}>`)} (argument) | — | ${cell(a.description)} |`);
  const options = command.options.map((o) => `| ${cell(code(o.flags))} | ${cell(defaultOf(o))} | ${cell(meaningOf(o))} |`);
  const usage = [path, ...command.registeredArguments.map((a) => `<${a.name()}>`), command.options.length > 0 ? '[options]' : ''].filter(Boolean).join(' ');
  return [`#### ${code(usage)}`, '', command.description(), '', '| flag | default | meaning |', '|---|---|---|', ...args, ...options];
}

/** Every command's flags (commands with subcommands are followed by theirs), from commander's definitions. */
export function renderFlags(root: Command): string {
  const out: string[] = [NOTE("the CLI's commander definitions (`commandTree()` in packages/cli/src/program.ts)"), ''];
  const visit = (command: Command, path: string) => {
    if (command.options.length > 0 || command.registeredArguments.length > 0 || command.commands.length === 0) out.push(...commandTable(command, path), '');
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
      .map((f) => `| ${code(f.meta.env ?? '?')} | ${d.displayName} (${code(d.id)}) | ${code(f.key)} | ${f.optional ? 'no' : 'yes (not with `--emulator`)'} | ${cell(f.meta.description ?? '')} |`),
  );
  return [NOTE("each destination's zod config schema (`secret(…, 'ENV_VAR')`)"), '', '| variable | destination | option | required | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** The codes whose advice names a flag on the command line (the kit's names the `runSync` option). */
export function renderFlagHints(withFlags: CliModule['withFlags'], codes: Readonly<Record<string, CodeInfo>> = KIT_CODES): string {
  const rows = Object.entries(codes)
    .filter(([name, info]) => withFlags(name, info.action) !== info.action)
    .map(([name, info]) => `| ${code(name)} | ${cell(withFlags(name, info.action))} | ${cell(info.action)} |`);
  return [NOTE('`KIT_CODES` and the CLI\'s `FLAG_HINTS` (packages/cli/src/output/flag-hints.ts)'), '', '| code | what to do (command line) | in the library |', '|---|---|---|', ...rows].join('\n');
}

/** The CLI README's generated sections, by marker name. */
export async function cliReadmeSections(cli: CliModule): Promise<Record<string, string>> {
  const destinations = await Promise.all(cli.builtInEntries().map((e) => e.load()));
  return { 'cli-flags': renderFlags(cli.commandTree()), environment: renderEnvironment(destinations), 'flag-hints': renderFlagHints(cli.withFlags) };
}
