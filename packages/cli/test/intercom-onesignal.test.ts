import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmulatorClient } from '@syncmodes/connector-kit/emulator';
import { describe, expect, it } from 'vitest';
import { cli, readReport, sharedDataFile, tempDir } from './cli-helpers';
import { withEmulatorCommand } from './fixtures/per-test';

const PEOPLE = sharedDataFile('people-1000.csv');
const people = readFileSync(PEOPLE, 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => {
    const [, userId, first, , , email] = line.split(',');
    return { userId: userId as string, first: first as string, email: email as string };
  });

/** Runs `syncmodes emulator <id> --seed <file>` until `check` is done with its URL. */
const withStandaloneEmulator = (id: string, seed: string, check: (url: string) => Promise<void>) => withEmulatorCommand([id, '--seed', seed], check);

describe('syncmodes with Intercom', () => {
  const mapping = ['--id', 'User Id', '--map', 'external_id=User Id', '--map', 'email=Email', '--map', 'name=First Name', '--map', 'custom_attributes.job_title=Job Title'];

  it('people-1000.csv: enrich updates only the 300 existing contacts, additive adds the rest, a rerun writes nothing', async () => {
    const dir = tempDir();
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ contacts: people.slice(0, 300).map((p) => ({ role: 'user', external_id: p.userId, email: p.email, name: 'Old' })) }));
    const report = join(dir, 'report.json');
    const base = ['sync', '--to', 'intercom', '--emulator', '--from', PEOPLE, ...mapping, '--state-dir', join(dir, 'state'), '--report', report];
    expect((await cli([...base, '--mode', 'enrich', '--emulator-seed', seed])).code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ updated: 300, created: 0, skipped: 700, failed: 0 });
    expect((await cli([...base, '--mode', 'additive'])).code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ created: 700, unchanged: 300, failed: 0 });
    const again = await cli([...base, '--mode', 'additive']);
    expect(again.code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ unchanged: 1_000 });
    expect(again.stdout).toContain('API calls: none');
    const data = JSON.parse(readFileSync(join(dir, 'state', 'emulators', 'intercom.json'), 'utf8')) as { contacts: { external_id: string; name: string }[] };
    expect(data.contacts).toHaveLength(1_000);
    expect(new Set(data.contacts.map((c) => c.external_id)).size).toBe(1_000);
    // Three runs, one Intercom call per contact write (1,000 calls): over 30 s on a loaded machine.
  }, 120_000);

  it('`syncmodes emulator intercom --seed` serves the seeded workspace through the real read routes', async () => {
    const dir = tempDir();
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ contacts: [{ role: 'user', external_id: '42', email: 'ng@example.com', name: 'Ng' }] }));
    const code = await withStandaloneEmulator('intercom', seed, async (url) => {
      const response = await fetch(`${url}/contacts/search`, {
        method: 'POST',
        headers: { authorization: 'Bearer emulator-token', 'content-type': 'application/json', 'intercom-version': '2.14' },
        body: JSON.stringify({ query: { field: 'external_id', operator: '=', value: '42' } }),
      });
      const body = (await response.json()) as { data: { email: string }[] };
      expect(body.data.map((c) => c.email)).toEqual(['ng@example.com']);
    });
    expect(code).toBe(0);
  });
});

describe('syncmodes with OneSignal', () => {
  const mapping = ['--id', 'User Id', '--map', 'external_id=User Id', '--map', 'job_title=Job Title', '--groups', 'Sex'];

  it('people-1000.csv enriches exactly the 300 existing users, creates none; a rerun sends nothing', async () => {
    const dir = tempDir();
    const seed = join(dir, 'seed.json');
    // The emulator holds the app the seed names; any other app id is refused like a mismatched key (403), as OneSignal does.
    // OneSignal reads users at 1/s per app; the seed lifts that (read_rate) so 1,000 lookups take seconds, not minutes.
    writeFileSync(seed, JSON.stringify({ app_id: 'demo-app', read_rate: 1_000, users: people.slice(0, 300).map((p) => ({ identity: { external_id: p.userId }, properties: { tags: { first_name: p.first } } })) }));
    const report = join(dir, 'report.json');
    const argv = ['sync', '--to', 'onesignal', '--emulator', '--option', 'appId=demo-app', '--option', 'viewRateLimit=1000', '--from', PEOPLE, ...mapping, '--state-dir', join(dir, 'state'), '--report', report];
    const first = await cli([...argv, '--emulator-seed', seed]);
    expect(first.code).toBe(0);
    expect(readReport(report).counts).toMatchObject({ updated: 300, created: 0, skipped: 700, failed: 0 });
    expect(readReport(report).codes.skipped).toEqual({ not_found: 700 });
    const again = await cli(argv);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('API calls: none');
    type User = { identity: { external_id: string }; properties: { tags: Record<string, string> } };
    const data = JSON.parse(readFileSync(join(dir, 'state', 'emulators', 'onesignal.json'), 'utf8')) as { apps: Record<string, { users: User[] }> };
    const users = Object.values(data.apps).flatMap((a) => a.users);
    expect(users).toHaveLength(300);
    expect(users.every((u) => typeof u.properties.tags.job_title === 'string' && u.properties.tags.first_name !== undefined)).toBe(true);
    expect(users.every((u) => u.properties.tags.in_male === '1' || u.properties.tags.in_female === '1')).toBe(true);
  }, 90_000); // 1,000 lookups and 300 updates through the CLI

  it('refuses sync and additive at configuration time with the reason', async () => {
    const out = await cli(['sync', '--to', 'onesignal', '--emulator', '--option', 'appId=demo-app', '--mode', 'additive', '--from', PEOPLE, ...mapping, '--state-dir', join(tempDir(), 's')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/does not support sync mode "additive"\. Supported modes: enrich\./);
  });

  it('`syncmodes emulator onesignal --seed` answers GET /apps/{app_id}/users/by/external_id/{id}', async () => {
    const dir = tempDir();
    const seed = join(dir, 'seed.json');
    writeFileSync(seed, JSON.stringify({ users: [{ identity: { external_id: 'a/b c' }, properties: { tags: { plan: 'pro' } } }] }));
    const code = await withStandaloneEmulator('onesignal', seed, async (url) => {
      const records = await new EmulatorClient(url).records<unknown>();
      expect(JSON.stringify(records)).toContain('"plan":"pro"');
    });
    expect(code).toBe(0);
  });
});
