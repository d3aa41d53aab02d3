import { SYNC_MODES, SYNC_MODE_TABLE, configFields, configJsonSchema, type AnyDestination, type JsonSchema } from '@syncmodes/connector-kit';
import { prose } from './kit-readme';

/** Marker comments around a generated README section. */
export const markers = (name: string) => ({ start: `<!-- syncmodes:${name}:start -->`, end: `<!-- syncmodes:${name}:end -->` });

const NOTE = '<!-- Generated from the destination definition and its zod config schema by `npm run docs`; do not edit by hand. -->';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (text: string) => `\`${text}\``;

/** The mode-support table: which modes the destination supports, its default, and what each allows. */
export function renderModesTable(d: AnyDestination): string {
  const people = d.kind === 'audience';
  const rows = SYNC_MODES.map((mode) => {
    const ops = SYNC_MODE_TABLE[mode].operations;
    const supported = d.syncModes.includes(mode);
    const isDefault = supported && (d.defaultSyncMode === mode || d.syncModes.length === 1);
    if (!supported) {
      const reason = d.unsupportedModeReasons?.[mode];
      return `| ${code(mode)} | no${reason ? `: ${cell(reason)}` : ''} | — | — | — |`;
    }
    const creates = ops.create ? (people ? 'adds people' : 'yes') : 'never';
    const updates = ops.update ? (people ? 'yes (membership)' : 'yes') : 'never';
    const removes = ops.delete ? (people ? 'removes people this sync added' : 'only records this sync created') : 'never';
    return `| ${code(mode)} | yes${isDefault ? ' (default)' : ''} | ${creates} | ${updates} | ${removes} |`;
  });
  return [NOTE, '', '| mode | supported | creates | updates | removes |', '|---|---|---|---|---|', ...rows].join('\n');
}

function typeOf(schema: JsonSchema): string {
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((v) => code(String(v))).join(' \\| ');
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(typeOf).join(' or ');
  const type = schema.type;
  if (type === 'string' && schema.format === 'uri') return 'URL';
  if (type === 'integer' || type === 'number') {
    const max = typeof schema.maximum === 'number' && schema.maximum < Number.MAX_SAFE_INTEGER ? schema.maximum : undefined;
    const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
    if (min !== undefined && max !== undefined) return `${type} (${min}–${max})`;
    if (min !== undefined) return `${type} (≥ ${min})`;
    if (typeof schema.exclusiveMinimum === 'number') return `${type} (> ${schema.exclusiveMinimum})`;
    return String(type);
  }
  if (type === 'array') return `list of ${typeOf((schema.items as JsonSchema | undefined) ?? {})}`;
  if (type === 'boolean') return 'boolean';
  return typeof type === 'string' ? type : 'any';
}

/** The options table: every config field with its type, default, whether it is required, secret or part of the sync's identity. */
export function renderOptionsTable(d: AnyDestination): string {
  return [NOTE, '', ...fieldsTable(d.configSchema, 'option')].join('\n');
}

/** The header and one row per top-level field of a zod object schema: type, default, required, description (and secret / identity notes). */
export function fieldsTable(zodSchema: AnyDestination['configSchema'], first: string): string[] {
  const json = configJsonSchema(zodSchema) as { properties?: Record<string, JsonSchema> };
  const rows = configFields(zodSchema).map((field) => {
    const schema = json.properties?.[field.key] ?? {};
    const def = schema.default === undefined ? '—' : code(JSON.stringify(schema.default));
    const notes: string[] = [];
    if (field.meta.secret) notes.push(`**secret**: from ${code(`$${field.meta.env ?? '?'}`)}, never printed, logged or stored`);
    if (field.meta.identity) notes.push("part of the sync's identity");
    const required = field.optional ? 'no' : 'yes';
    const description = [field.meta.description ?? '', ...notes].filter(Boolean).join(' · ');
    return `| ${code(field.key)} | ${typeOf(schema)} | ${def} | ${required} | ${cell(description)} |`;
  });
  return [`| ${first} | type | default | required | description |`, '|---|---|---|---|---|', ...rows];
}

/**
 * The destination's own codes (its definition's `errorCodes`): scope, retryable, meaning,
 * what to do — the codes it reports besides the kit's.
 */
export function renderDestinationCodes(d: AnyDestination): string {
  const rows = Object.entries(d.errorCodes ?? {}).map(([name, info]) => `| ${code(name)} | ${info.scope} | ${info.retryable ? 'yes' : 'no'} | ${prose(info.meaning)} | ${prose(info.action)} |`);
  return [
    "<!-- Generated from the destination definition's `errorCodes` by `npm run docs`; do not edit by hand. -->",
    '',
    "The codes this destination reports besides the kit's (listed in the `@syncmodes/connector-kit` README):",
    '',
    '| code | scope | retryable | meaning | what to do |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/** The generated sections of a destination's README, by marker name (its codes when it declares them). */
export function readmeSections(d: AnyDestination): Record<string, string> {
  return { modes: renderModesTable(d), options: renderOptionsTable(d), ...(d.errorCodes ? { 'destination-codes': renderDestinationCodes(d) } : {}) };
}

/** Headings of sections appended to a README that lacks their markers. */
const SECTION_TITLES: Record<string, string> = {
  modes: 'Mode support',
  options: 'Options',
  'run-sync-options': 'runSync options',
  'run-summary': 'The summary',
  'record-result': 'One result per record',
  'sync-report': 'The JSON report',
  'error-codes': 'Codes',
  'destination-codes': 'Error codes',
  'cli-flags': 'Flags',
  'config-file': 'Config files',
  environment: 'Environment variables',
  'flag-hints': 'Codes whose advice names a flag',
};

/**
 * Replaces each generated section between its markers. A section whose markers are missing
 * is appended under its own heading.
 */
export function updateReadme(readme: string, sections: Record<string, string>): string {
  let out = readme;
  for (const [name, body] of Object.entries(sections)) {
    const { start, end } = markers(name);
    const block = `${start}\n${body}\n${end}`;
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i >= 0 && j > i) out = `${out.slice(0, i)}${block}${out.slice(j + end.length)}`;
    else out = `${out.trimEnd()}\n\n## ${SECTION_TITLES[name] ?? name}\n\n${block}\n`;
  }
  return out;
}

/** The JSON Schema file of a destination's config (`config.schema.json`). */
export function destinationSchemaFile(d: AnyDestination, packageName: string): JsonSchema {
  const { $schema, ...rest } = configJsonSchema(d.configSchema);
  return {
    $schema,
    $id: `${packageName}/config.schema.json`,
    title: `${d.displayName} destination config`,
    description: `Options of the ${d.displayName} destination (${packageName}). Secrets (x-secret) come from the environment variable named by x-env, never from files.`,
    ...rest,
  };
}

/** Serialises a JSON file the way the tooling commits it. */
export const jsonFile = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
