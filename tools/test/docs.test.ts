import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configFields, DEFAULT_MAX_DELETES, DEFAULT_RETRY_POLICY, KIT_CODES } from '@syncmodes/connector-kit';
import { DEFAULT_LEASE_TTL_MS } from '../../packages/connector-kit/src/engine/run/run-lease';
import { kitInterfaces } from '../docs/kit-readme';
import type { CliModule } from '../docs/cli-readme';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../docs/generated-files';
import { markers } from '../docs/render';
import { WORKSPACE_ROOT, destinationPackages } from '../docs/workspace';

const files = await generatedFiles();
// The CLI from its sources, as the docs generator loads it (tools does not depend on the CLI package).
const { commandTree, FLAG_HINTS } = (await import(pathToFileURL(`${WORKSPACE_ROOT}/packages/cli/src/index.ts`).href)) as CliModule & { FLAG_HINTS: Record<string, unknown> };
const destinations = await destinationPackages();
const KIT_DIR = `${WORKSPACE_ROOT}/packages/connector-kit`;
const kitReadme = readFileSync(`${KIT_DIR}/README.md`, 'utf8');
const cliReadme = readFileSync(`${WORKSPACE_ROOT}/packages/cli/README.md`, 'utf8');
const section = (readme: string, name: string) => {
  const { start, end } = markers(name);
  expect(readme.split(start), `${name} markers`).toHaveLength(2);
  return readme.slice(readme.indexOf(start), readme.indexOf(end));
};
/** The first code span of a default (`\`500\` (ms)` → 500). */
const numberIn = (text: string | undefined) => Number(/`(\d+)`/.exec(text ?? '')?.[1]);

describe('docs generated from the zod schemas', () => {
  it('finds every destination package under packages/', () => {
    expect(destinations.map((d) => d.destination.id)).toEqual(expect.arrayContaining(['salesforce', 'intercom', 'onesignal']));
  });

  it.each(files.map((f) => [relative(WORKSPACE_ROOT, f.path), f] as const))('%s is up to date (run `npm run docs` if not)', (_name, file) => {
    expect(readFileSync(file.path, 'utf8'), `${relative(WORKSPACE_ROOT, file.path)} drifted from the schema: run \`npm run docs\``).toBe(file.content);
  });

  it.each(destinations.map((d) => [d.destination.id, d] as const))('%s README keeps its tables between markers, one row per mode and option', (_id, pkg) => {
    const readme = readFileSync(`${pkg.dir}/README.md`, 'utf8');
    for (const name of ['modes', 'options']) {
      const { start, end } = markers(name);
      expect(readme.split(start)).toHaveLength(2);
      expect(readme.indexOf(end)).toBeGreaterThan(readme.indexOf(start));
    }
    const section = (name: string) => readme.slice(readme.indexOf(markers(name).start), readme.indexOf(markers(name).end));
    for (const mode of ['sync', 'additive', 'enrich']) expect(section('modes')).toMatch(new RegExp(`^\\| \`${mode}\` \\| (yes|no)`, 'm'));
    for (const field of configFields(pkg.destination.configSchema)) {
      const row = section('options').split('\n').find((l) => l.startsWith(`| \`${field.key}\` |`));
      expect(row, `options table row for ${field.key}`).toBeDefined();
      if (field.meta.secret) expect(row).toContain(`$${field.meta.env}`);
    }
  });

  it.each(destinations.map((d) => [d.destination.id, d] as const))('%s README lists every code its definition declares (errorCodes), with scope and meaning', (_id, pkg) => {
    const declared = Object.entries(pkg.destination.errorCodes ?? {});
    if (declared.length === 0) return expect(readFileSync(`${pkg.dir}/README.md`, 'utf8')).not.toContain(markers('destination-codes').start);
    const rows = section(readFileSync(`${pkg.dir}/README.md`, 'utf8'), 'destination-codes').split('\n');
    for (const [code, info] of declared) expect(rows.find((l) => l.startsWith(`| \`${code}\` | ${info.scope} |`)), code).toBeDefined();
    expect(rows.filter((l) => /^\| `[a-z_]+` \|/.test(l))).toHaveLength(declared.length);
  });

  it.each(destinations.map((d) => [d.destination.id, d] as const))('%s config.schema.json marks secrets with their environment variable and is published', (_id, pkg) => {
    const schema = JSON.parse(readFileSync(`${pkg.dir}/config.schema.json`, 'utf8')) as { properties: Record<string, Record<string, unknown>> };
    for (const field of configFields(pkg.destination.configSchema)) {
      const prop = schema.properties[field.key];
      expect(prop).toBeDefined();
      if (field.meta.secret) expect(prop).toMatchObject({ 'x-secret': true, writeOnly: true, 'x-env': field.meta.env });
      else expect(prop).not.toHaveProperty('x-secret');
    }
    expect(pkg.json.exports?.['./config.schema.json']).toBe('./config.schema.json');
    expect(pkg.json.files).toContain('config.schema.json');
  });

  it('the CLI job schema completes destinations, their modes and options, and never offers secrets', () => {
    const schema = JSON.parse(readFileSync(`${WORKSPACE_ROOT}/packages/cli/sync-job.schema.json`, 'utf8')) as {
      additionalProperties: boolean;
      required: string[];
      allOf: { if: { properties: { to: { const: string } } }; then: { properties: { mode: { enum: string[] }; options: { properties: Record<string, unknown> } } } }[];
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['to', 'from', 'id', 'map']));
    const onesignal = schema.allOf.find((c) => c.if.properties.to.const === 'onesignal');
    expect(onesignal?.then.properties.mode.enum).toEqual(['enrich']);
    const salesforce = schema.allOf.find((c) => c.if.properties.to.const === 'salesforce');
    expect(Object.keys(salesforce?.then.properties.options.properties ?? {})).toContain('instanceUrl');
    expect(Object.keys(salesforce?.then.properties.options.properties ?? {})).not.toContain('accessToken');
  });

  describe('the kit README', () => {
    const options = kitInterfaces(KIT_DIR).RunSyncOptions;

    it('documents every runSync option (nested ones too) with its default: an optional option without @defaultValue fails here', () => {
      const table = section(kitReadme, 'run-sync-options');
      const rows = table.split('\n').filter((l) => l.startsWith('| `'));
      expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1])).toEqual(options.map((o) => o.name));
      expect(options.map((o) => o.name)).toEqual(expect.arrayContaining(['destination', 'source', 'state', 'mode', 'guard.maxDeletes', 'guard.allowEmptySource', 'retry.retries', 'lease.ttlMs', 'deletePolicy', 'groupIds', 'collectResults']));
      const nesting = new Set(options.filter((o) => options.some((n) => n.name.startsWith(`${o.name}.`))).map((o) => o.name));
      const undocumented = options.filter((o) => !o.required && o.defaultValue === undefined && !nesting.has(o.name)).map((o) => o.name);
      expect(undocumented, 'add a @defaultValue to these options').toEqual([]);
      for (const o of options) expect(o.description.length, `${o.name} has a TSDoc summary`).toBeGreaterThan(10);
    });

    it('the documented defaults are the ones the code uses', () => {
      const byName = new Map(options.map((o) => [o.name, o.defaultValue]));
      for (const [key, value] of Object.entries(DEFAULT_RETRY_POLICY)) expect(numberIn(byName.get(`retry.${key}`)), `retry.${key}`).toBe(value);
      expect(numberIn(byName.get('maxRateLimitWaitMs'))).toBe(DEFAULT_RETRY_POLICY.maxRateLimitWaitMs);
      expect(numberIn(byName.get('lease.ttlMs'))).toBe(DEFAULT_LEASE_TTL_MS);
      expect(numberIn(byName.get('guard.maxDeletes'))).toBe(DEFAULT_MAX_DELETES);
    });

    it('lists every code of KIT_CODES, and the shapes of the summary, a result and the report', () => {
      const codes = section(kitReadme, 'error-codes');
      for (const code of Object.keys(KIT_CODES)) expect(codes, code).toContain(`| \`${code}\` |`);
      for (const [name, field] of [['run-summary', 'syncId'], ['record-result', 'outcome'], ['sync-report', 'examples']] as const) {
        expect(section(kitReadme, name)).toContain(`| \`${field}\` |`);
      }
    });
  });

  describe('the CLI README', () => {
    it('lists every flag of every command, as commander defines them', () => {
      const flags = section(cliReadme, 'cli-flags');
      const visit = (command: ReturnType<typeof commandTree>): string[] => [...command.options.map((o) => o.flags), ...command.commands.flatMap(visit)];
      const all = visit(commandTree());
      expect(all).toEqual(expect.arrayContaining(['--allow-deletes <n>', '--group-id <name=id>', '--yes', '--port <port>']));
      // A `|` inside a flag is escaped in the Markdown table.
      for (const flag of all) expect(flags, flag).toContain(`| \`${flag.replace(/\|/g, '\\|')}\` |`);
    });

    it('names the environment variable of every secret of every built-in destination', () => {
      const env = section(cliReadme, 'environment');
      for (const pkg of destinations) {
        for (const field of configFields(pkg.destination.configSchema).filter((f) => f.meta.secret)) expect(env).toContain(`| \`${field.meta.env}\` | ${pkg.destination.displayName}`);
      }
    });

    it('shows the flag for every code whose advice the CLI translates', () => {
      const hints = section(cliReadme, 'flag-hints');
      for (const code of Object.keys(FLAG_HINTS).filter((c) => c in KIT_CODES && c !== 'match_key_not_mapped' && c !== 'unsupported_mode' && c !== 'invalid_config')) {
        expect(hints, code).toContain(`| \`${code}\` |`);
      }
    });
  });
});
