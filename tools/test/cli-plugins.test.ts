import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installProject, npmPack, outsideDir, packWorkspace } from './pack';
import { childEnv, run } from './run';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;

// The CLI as users get it: every package packed and installed from its tarball into a new
// project, with two third-party destinations installed next to it by their package names
// (`syncmodes-destination-widgets`, `@acme/syncmodes-destination-gadgets`).
describe('third-party destinations (plugins) in the CLI', () => {
  let packDir: string;
  let project: string;
  const syncmodes = (args: string[], env: Record<string, string> = {}) =>
    run(join(project, 'node_modules', '.bin', 'syncmodes'), args, { cwd: project, env: childEnv(env) });

  beforeAll(async () => {
    packDir = outsideDir('syncmodes-pack-');
    project = outsideDir('syncmodes-plugins-');
    const tarballs = Object.fromEntries(await packWorkspace(packDir));
    tarballs['syncmodes-destination-widgets'] = await npmPack(join(fixtures, 'syncmodes-destination-widgets'), packDir);
    tarballs['@acme/syncmodes-destination-gadgets'] = await npmPack(join(fixtures, 'acme-syncmodes-destination-gadgets'), packDir);
    await installProject(project, tarballs);
    writeFileSync(join(project, 'people.csv'), 'Id,Email,Name\n1,ada@example.com,Ada\n2,alan@example.com,Alan\n');
  });
  afterAll(() => {
    rmSync(packDir, { recursive: true, force: true });
    rmSync(project, { recursive: true, force: true });
  });

  it('`syncmodes destinations` lists the built-in and the installed plugins with their modes and default', async () => {
    const out = await syncmodes(['destinations']);
    expect(out.code).toBe(0);
    expect(out.stderr).toBe('');
    const rows = out.stdout.split('\n');
    const row = (id: string) => rows.find((l) => l.startsWith(`│ ${id} `)) ?? '';
    expect(row('salesforce')).toMatch(/@syncmodes\/salesforce.*sync, additive\*, enrich/);
    expect(row('widgets')).toMatch(/syncmodes-destination-widgets@1\.2\.3.*sync, additive\*/);
    expect(out.stdout).toContain('(plugin)');
    expect(out.stdout).toContain('$WIDGETS_TOKEN');
    expect(row('gadgets')).toMatch(/@acme\/syncmodes-destination-gadgets.*enrich\*/);
  });

  it('`syncmodes sync --to widgets --emulator` runs the plugin against its own emulator', async () => {
    const args = ['sync', '--to', 'widgets', '--emulator', '--from', 'people.csv', '--id', 'Id', '--map', 'email=Email', '--map', 'name=Name', '--state-dir', 'state', '--report', 'report.json', '--no-progress'];
    const first = await syncmodes(args);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(project, 'report.json'), 'utf8')) as { destination: string; mode: string; counts: Record<string, number> };
    expect(report).toMatchObject({ destination: 'widgets', mode: 'additive', counts: { created: 2, failed: 0 } });
    const data = JSON.parse(readFileSync(join(project, 'state', 'emulators', 'widgets.json'), 'utf8')) as { contacts: { email: string }[] };
    expect(data.contacts.map((c) => c.email).sort()).toEqual(['ada@example.com', 'alan@example.com']);
    const again = await syncmodes(args);
    expect(again.code).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'report.json'), 'utf8')).counts.unchanged).toBe(2);
  });

  it("refuses a mode the plugin does not support, with the plugin's reason", async () => {
    const out = await syncmodes(['sync', '--to', 'widgets', '--emulator', '--mode', 'enrich', '--from', 'people.csv', '--id', 'Id', '--map', 'email=Email', '--state-dir', 'state2']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/Supported modes: sync, additive/);
    expect(out.stderr).toContain('Widgets CRM has no way to tell existing contacts apart.');
  });

  it('the CLI package itself loads from plain Node as ESM and as CommonJS', async () => {
    for (const [file, code] of [
      ['esm.mjs', "import { main, findPluginPackages } from '@syncmodes/cli'; console.log(typeof main, findPluginPackages(process.cwd()).length);"],
      ['cjs.cjs', "const { main, findPluginPackages } = require('@syncmodes/cli'); console.log(typeof main, findPluginPackages(process.cwd()).length);"],
    ] as const) {
      writeFileSync(join(project, file), code);
      const out = await run('node', [file], { cwd: project });
      expect(out.stderr).toBe('');
      expect(out.stdout.trim()).toBe('function 2');
    }
  });

  it('names installed plugins among the known destinations when the id is unknown', async () => {
    const out = await syncmodes(['sync', '--to', 'nope', '--from', 'people.csv', '--id', 'Id', '--map', 'email=Email']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/Known destinations: salesforce, intercom, onesignal.*gadgets, widgets/);
  });
});
