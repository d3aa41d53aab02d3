import { readFileSync, writeFileSync } from 'node:fs';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, readReport, tempDir } from '../../cli/test/cli-helpers';


/**
 * Reviewer 87, finding 2: whether the match key is mapped is decided from the mapping, not from
 * the values. A mapped EMAIL column whose values are all unusable (MD5 digests, not addresses,
 * blank) gives every row its own result; a target that is no schema key is refused as such.
 */
describe('syncmodes sync --to facebook: a mapped identifier whose values are all unusable (reviewer 87, finding 2)', () => {
  const sync = async (csvText: string, map: string[]) => {
    const dir = tempDir();
    const source = join(dir, 'people.csv');
    writeFileSync(source, csvText);
    const report = join(dir, 'report.json');
    const args = ['sync', '--to', 'facebook', '--emulator', '--option', 'adAccountId=act_123', '--option', 'audience=All', '--from', source, '--id', 'Id', ...map.flatMap((m) => ['--map', m]), '--state-dir', join(dir, 'state'), '--report', report];
    const out = await cli(args);
    const saved = (): FacebookEmulatorData => JSON.parse(readFileSync(join(dir, 'state', 'emulators', 'facebook.json'), 'utf8')) as FacebookEmulatorData;
    return { out, report: readReport(report), saved };
  };

  it('MD5 emails, bad and blank emails: each row fails no_valid_identifier saying what is wrong, every row is in the report', async () => {
    const { out, report, saved } = await sync('Id,Email,First\n1,1f3870be274f6c49b3e31a0c6728957f,Ada\n2,bad,Bo\n3,,Cy\n', ['EMAIL=Email', 'FN=First']);
    expect(out.stderr).not.toMatch(/match_key_not_mapped/);
    expect(report.records.map((r) => `${r.id}:${r.outcome}:${r.code}`)).toEqual(['1:failed:no_valid_identifier', '2:failed:no_valid_identifier', '3:failed:no_valid_identifier']);
    const message = (id: string) => report.records.find((r) => r.id === id)?.message ?? '';
    expect(message('1')).toMatch(/EMAIL looks like an MD5 hex digest; Meta takes values in clear or hashed with SHA-256 only/);
    expect(message('1')).not.toContain('1f3870be');
    expect(message('2')).toMatch(/EMAIL is not an email address/);
    expect(message('3')).toMatch(/^No usable identifier after normalisation: give the record an EMAIL/);
    expect(saved().audiences.reduce((n, a) => n + a.size, 0)).toBe(0);
  }, 60_000);

  it('a target that is no schema key (email for EMAIL) is refused as unknown_schema_key, also as the only mapping', async () => {
    for (const map of [['email=Email'], ['email=Email', 'FN=First']]) {
      const { out, report } = await sync('Id,Email,First\n1,a@example.com,Ada\n', map);
      expect(out.code, out.stderr).toBe(2);
      expect(out.stderr).toMatch(/unknown_schema_key/);
      expect(out.stderr).toMatch(/no schema key "email"/);
      expect(report).toMatchObject({ records: [], error: { code: 'unknown_schema_key' } });
    }
  }, 60_000);

  // Fresh new-user check 120: phones Meta's rules could not use were sent empty and said only in a log line; the summary and
  // the report said every row was created.
  it('a value sent empty (a phone without its country code) is said in the summary and the report (values_sent_empty, record ids, no values); the row is added by its email', async () => {
    const { out, report } = await sync('Id,Email,Phone\n1,ada@example.com,+44 20 7946 0958\n2,bo@example.com,12\n3,cy@example.com,x\n', ['EMAIL=Email', 'PHONE=Phone']);
    expect(out.code, out.stderr).toBe(0);
    expect(report.records.map((r) => `${r.id}:${r.outcome}`)).toEqual(['1:created', '2:created', '3:created']);
    const notice = (report as unknown as { notices: { code: string; message: string }[] }).notices.find((n) => n.code === 'values_sent_empty');
    expect(notice?.message).toMatch(/PHONE: 2 record\(s\) \("2", "3"\)/);
    expect(notice?.message).not.toContain('bo@example.com');
    expect(out.stdout).toMatch(/Notices:\n {2}values_sent_empty: Some mapped values could not be normalised as Meta requires and were sent empty — PHONE: 2 record\(s\)/);
  }, 60_000);

  it('no identifying key mapped at all is still refused as match_key_not_mapped, naming the keys', async () => {
    const { out, report } = await sync('Id,First\n1,Ada\n', ['FN=First']);
    expect(out.code, out.stderr).toBe(2);
    expect(out.stderr).toMatch(/match_key_not_mapped\): No source column is mapped to EMAIL, PHONE, MADID, EXTERN_ID/);
    expect(report).toMatchObject({ records: [], error: { code: 'match_key_not_mapped' } });
  }, 60_000);
});
