import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { configFields } from '@syncmodes/connector-kit';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../docs/generated-files';
import { markers } from '../docs/render';
import { WORKSPACE_ROOT, destinationPackages } from '../docs/workspace';

const files = await generatedFiles();
const destinations = await destinationPackages();

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
});
