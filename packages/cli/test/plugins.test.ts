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

  it('--version lists installed plugins with their versions after the built-in packages', async () => {
    const { versionLines } = await import('../src/registry/versions');
    const project = scratch();
    install(project, 'syncmodes-destination-hubspot', '2.3.4');
    install(project, '@acme/syncmodes-destination-gadgets', '0.9.0');
    const lines = versionLines(project, new URL('../src/index.ts', import.meta.url).href);
    expect(lines[0]).toMatch(/^@syncmodes\/cli \d+\.\d+\.\d+/);
    expect(lines.slice(1, 5).map((l) => l.split(' ')[0])).toEqual(['@syncmodes/salesforce', '@syncmodes/intercom', '@syncmodes/onesignal', '@syncmodes/facebook']);
    expect(lines.slice(1, 5).every((l) => /\d+\.\d+\.\d+$/.test(l))).toBe(true);
    expect(lines.slice(5)).toEqual(['@acme/syncmodes-destination-gadgets 0.9.0 (plugin)', 'syncmodes-destination-hubspot 2.3.4 (plugin)']);
  });

  it('a project without plugins lists only the built-in destinations', async () => {
    const { builtInEntries, destinationEntries } = await import('../src/index');
    expect(builtInEntries().map((d) => d.id)).toEqual(expect.arrayContaining(['salesforce', 'intercom', 'onesignal']));
    expect(destinationEntries(scratch())).toEqual(builtInEntries());
  });
});
