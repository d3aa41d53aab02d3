import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findPluginPackages, pluginIdOf } from '../src/index';
import { tempDir } from './cli-helpers';

const install = (root: string, name: string, version = '1.0.0') => {
  mkdirSync(join(root, 'node_modules', name), { recursive: true });
  writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }));
};

const made: string[] = [];
const scratch = () => {
  const dir = tempDir();
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('the plugin package-name convention', () => {
  it.each([
    ['syncmodes-destination-hubspot', 'hubspot'],
    ['@acme/syncmodes-destination-crm-2', 'crm-2'],
    ['syncmodes-destination-', undefined],
    ['syncmodes-destination-Hub', undefined],
    ['@acme/other-package', undefined],
    ['syncmodes-source-x', undefined],
  ])('%s → %s', (name, id) => {
    expect(pluginIdOf(name)).toBe(id);
  });

  it('finds plugins in node_modules of the folder and every folder above it, nearest first', () => {
    const root = scratch();
    const project = join(root, 'apps', 'crm');
    mkdirSync(project, { recursive: true });
    install(root, 'syncmodes-destination-hubspot', '1.0.0');
    install(root, '@acme/syncmodes-destination-gadgets');
    install(project, 'syncmodes-destination-hubspot', '2.0.0');
    install(project, 'left-pad');
    install(project, '@acme/not-a-destination');
    const found = findPluginPackages(project);
    expect(found.map((p) => [p.id, p.packageName, p.dir])).toEqual([
      ['gadgets', '@acme/syncmodes-destination-gadgets', join(root, 'node_modules', '@acme/syncmodes-destination-gadgets')],
      ['hubspot', 'syncmodes-destination-hubspot', join(project, 'node_modules', 'syncmodes-destination-hubspot')],
    ]);
  });

  it('a project without plugins lists only the built-in destinations', async () => {
    const { builtInEntries, destinationEntries } = await import('../src/index');
    expect(builtInEntries().map((d) => d.id)).toEqual(expect.arrayContaining(['salesforce', 'intercom', 'onesignal']));
    expect(destinationEntries(scratch())).toEqual(builtInEntries());
  });
});
