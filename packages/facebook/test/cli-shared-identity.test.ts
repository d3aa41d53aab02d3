import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FacebookEmulatorData } from '../src/emulator/index';
import { sha256Hex } from '../src/identifiers/sha256';
import { cli, readReport, tempDir } from '../../cli/test/cli-helpers';

/**
 * #17 (trial of stop 22): two people in the source sharing a phone number (a household) with
 * different emails. Meta matches a row by any identifier, so both rows are one audience
 * member; removing one removes the other. Sync mode must never remove someone still in the
 * source: the leaving record stays in the audiences a sharer is in (`identity_shared`) and is
 * removed once nobody in the source shares its identifiers.
 * https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences#hash
 */
const SEED = { settings: { lowAudienceSize: 0 } };
const hashed = (email: string) => sha256Hex(email);

function workspace() {
  const dir = tempDir();
  writeFileSync(join(dir, 'seed.json'), JSON.stringify(SEED));
  const source = join(dir, 'people.csv');
  let first = true;
  return {
    async sync(csv: string, extra: string[] = []) {
      writeFileSync(source, csv);
      const args = ['sync', '--to', 'facebook', '--emulator', '--mode', 'sync', '--option', 'adAccountId=act_123', '--from', source, '--id', 'Id', '--map', 'EMAIL=Email', '--map', 'PHONE=Phone'];
      args.push('--state-dir', join(dir, 'state'), '--report', join(dir, 'report.json'), '--allow-deletes', '100', ...extra);
      if (first) args.push('--emulator-seed', join(dir, 'seed.json'));
      first = false;
      const out = await cli(args);
      const outcomes = Object.fromEntries(readReport(join(dir, 'report.json')).records.map((x) => [x.id, `${x.outcome}${x.code ? `:${x.code}` : ''}`]));
      return { ...out, outcomes };
    },
    /** Each audience's members, as the EMAIL hashes they hold. */
    audiences(): Record<string, string[][]> {
      const data = JSON.parse(readFileSync(join(dir, 'state', 'emulators', 'facebook.json'), 'utf8')) as FacebookEmulatorData;
      return Object.fromEntries(data.audiences.map((a) => [a.name, a.members.map((m) => [m.EMAIL ?? '']).sort()]));
    },
  };
}

describe('syncmodes sync --to facebook: two people sharing a phone number (#17)', () => {
  it('one leaves the source: the shared member stays (identity_shared) while the other is there; when both have left, it is removed', async () => {
    const ws = workspace();
    const vip = ['--option', 'audience=VIP'];
    const all = 'Id,Email,Phone\n1,ann@example.com,+1 650 555 0100\n2,bob@example.com,+1 650 555 0100\n3,cy@example.com,+1 650 555 0199\n';
    expect((await ws.sync(all, vip)).code).toBe(0);
    expect(ws.audiences().VIP).toHaveLength(2); // ann and bob are one member

    const withoutAnn = 'Id,Email,Phone\n2,bob@example.com,+1 650 555 0100\n3,cy@example.com,+1 650 555 0199\n';
    for (let run = 0; run < 2; run++) {
      const out = await ws.sync(withoutAnn, vip);
      expect(out.code, out.stderr).toBe(0);
      expect(out.outcomes['1']).toBe('skipped:identity_shared');
      expect(ws.audiences().VIP).toEqual([[hashed('bob@example.com')], [hashed('cy@example.com')]].sort());
    }

    const out = await ws.sync('Id,Email,Phone\n3,cy@example.com,+1 650 555 0199\n', vip);
    expect(out.code, out.stderr).toBe(0);
    expect(out.outcomes).toMatchObject({ '1': 'deleted', '2': 'deleted' });
    expect(ws.audiences().VIP).toEqual([[hashed('cy@example.com')]]);
    const again = await ws.sync('Id,Email,Phone\n3,cy@example.com,+1 650 555 0199\n', vip);
    expect(again.outcomes).toEqual({ '3': 'unchanged' });
  }, 60_000);

  it('three share one phone: the first leaving the audience is kept there while either other is in it; it goes when the last does', async () => {
    const ws = workspace();
    const rows = (g1: string, g2: string, g3: string) =>
      `Id,Email,Phone,Segments\n1,ann@example.com,+1 650 555 0100,${g1}\n2,bob@example.com,+1 650 555 0100,${g2}\n3,cy@example.com,+1 650 555 0100,${g3}\n4,dee@example.com,+1 650 555 0177,VIP\n`;
    const groups = ['--groups', 'Segments'];
    expect((await ws.sync(rows('VIP', 'Other', 'VIP'), groups)).code).toBe(0);
    expect(ws.audiences().VIP).toHaveLength(2);

    let out = await ws.sync(rows('', 'Other', 'VIP'), groups);
    expect(out.outcomes['1']).toBe('skipped:identity_shared');
    expect(ws.audiences().VIP).toHaveLength(2); // cy (sharing ann's phone) is still in VIP

    out = await ws.sync(rows('', 'Other', ''), groups);
    expect(out.outcomes['3']).toMatch(/^updated|^deleted/);
    expect(ws.audiences().VIP).toEqual([[hashed('dee@example.com')]]);
    expect(ws.audiences().Other).toHaveLength(1); // bob's membership of Other untouched
    out = await ws.sync(rows('', 'Other', ''), groups);
    expect(Object.values(out.outcomes).every((o) => o === 'unchanged' || o === 'skipped:no_audience')).toBe(true);
    expect(ws.audiences().Other).toHaveLength(1);
  }, 60_000);
});

describe('syncmodes sync --to facebook: a person whose email changes while the phone stays (#17)', () => {
  it('stays in the audience: the old identifiers are not removed from under the new ones', async () => {
    const ws = workspace();
    const vip = ['--option', 'audience=VIP'];
    expect((await ws.sync('Id,Email,Phone\n1,ann@example.com,+1 650 555 0100\n2,cy@example.com,+1 650 555 0199\n', vip)).code).toBe(0);
    const out = await ws.sync('Id,Email,Phone\n1,ann.new@example.com,+1 650 555 0100\n2,cy@example.com,+1 650 555 0199\n', vip);
    expect(out.code, out.stderr).toBe(0);
    expect(ws.audiences().VIP).toEqual([[hashed('ann.new@example.com')], [hashed('cy@example.com')]].sort());
    const again = await ws.sync('Id,Email,Phone\n1,ann.new@example.com,+1 650 555 0100\n2,cy@example.com,+1 650 555 0199\n', vip);
    expect(again.outcomes).toEqual({ '1': 'unchanged', '2': 'unchanged' });
    expect(ws.audiences().VIP).toHaveLength(2);
  }, 60_000);
});
