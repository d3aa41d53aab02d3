import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorClient } from '../src/emulator/index';
import { MemoryStateStore, csvSource, runSync } from '../src/index';
import { tinyDestination } from './tiny/tiny-destination';
import { createTinyEmulator, TINY_TOKEN } from './tiny/tiny-emulator';

// Eighth trial of stop 28: a person renumbered (new id, same email) whose new row could not be read
// (a Latin-1 byte: invalid_encoding) was deleted as a departure; her values cannot be compared.
const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const mapping = { idColumn: 'id', fields: { email: 'email', name: 'name' } };
type Stored = { records: { id: string; key: string; fields: Record<string, string> }[] };

describe('a row that cannot be read under a new id (tiny destination)', () => {
  let emulator: ReturnType<typeof createTinyEmulator>;
  let admin: EmulatorClient;
  let url: string;
  const dir = mkdtempSync(join(tmpdir(), 'syncmodes-unread-'));
  beforeEach(async () => {
    emulator = createTinyEmulator();
    url = await emulator.start();
    admin = new EmulatorClient(url);
  });
  afterEach(() => emulator.stop());
  const run = (state: MemoryStateStore, name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return runSync({ collectResults: true, destination: tinyDestination, config: { baseUrl: url, token: TINY_TOKEN }, mode: 'sync', source: csvSource(path, mapping), state, retry: FAST, guard: { maxDeletes: 10 } });
  };
  const first = 'id,email,name\n1,ada@example.com,Ada Lovelace\n2,bob@example.com,Bob Moses\n3,kim@example.com,Kim Park\n';

  it('keeps every record that left (source_incomplete) while a new id\'s row cannot be read; once it reads, the run goes on as usual', async () => {
    const state = new MemoryStateStore();
    await run(state, 'a.csv', first);
    const broken = Buffer.concat([Buffer.from('id,email,name\n2,bob@example.com,Bob Moses\n3,kim@example.com,Kim Park\n4,ada@example.com,Ada Lov'), Buffer.from([0xe9]), Buffer.from('lace\n')]);
    const next = await run(state, 'b.csv', broken);
    const byId = new Map(next.results.map((r) => [r.id, r]));
    expect(byId.get('4')).toMatchObject({ outcome: 'failed', code: 'invalid_encoding' });
    expect(byId.get('1')).toMatchObject({ outcome: 'skipped', code: 'source_incomplete' });
    expect(byId.get('1')?.message).toContain('1 row(s) could not be read (their values are unknown)');
    expect((await admin.records<Stored>()).records.map((r) => r.key)).toEqual(['ada@example.com', 'bob@example.com', 'kim@example.com']);
    const fixed = await run(state, 'c.csv', 'id,email,name\n2,bob@example.com,Bob Moses\n3,kim@example.com,Kim Park\n4,ada@example.com,Ada Lovelace\n');
    expect(fixed.results.find((r) => r.id === '4')).toMatchObject({ outcome: 'updated', destinationId: 'r1' });
    expect(fixed.results.find((r) => r.id === '1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
  });

  it('a row of a record this sync already has that cannot be read holds departures back too (ids shifted, the next person\'s row broken: tenth trial of stop 28)', async () => {
    const state = new MemoryStateStore();
    await run(state, 'd.csv', first);
    const broken = Buffer.concat([Buffer.from('id,email,name\n2,bob@example.com,Bob Mo'), Buffer.from([0xe9]), Buffer.from('ses\n3,kim@example.com,Kim Park\n')]);
    const next = await run(state, 'e.csv', broken);
    expect(next.results.find((r) => r.id === '2')).toMatchObject({ outcome: 'failed', code: 'invalid_encoding' });
    expect(next.results.find((r) => r.id === '1')).toMatchObject({ outcome: 'skipped', code: 'source_incomplete' });
    expect((await admin.records<Stored>()).records.map((r) => r.key)).toEqual(['ada@example.com', 'bob@example.com', 'kim@example.com']);
  });

  it('a record whose row changed every value while another row cannot be read is refused (identity_unclear): that row may be its person (tenth trial of stop 28: ids swapped, one row broken)', async () => {
    const state = new MemoryStateStore();
    await run(state, 'i.csv', first);
    const broken = Buffer.concat([Buffer.from('id,email,name\n1,ada@example.com,Bob Moses\n2,bob@example.com,Ada Lov'), Buffer.from([0xe9]), Buffer.from('lace\n3,kim@example.com,Kim Park\n')]);
    const next = await run(state, 'j.csv', broken);
    expect(next.results.find((r) => r.id === '1')).toMatchObject({ outcome: 'failed', code: 'identity_unclear' });
    expect(next.results.find((r) => r.id === '1')?.message).toContain('while 1 row(s) could not be read');
    expect((await admin.records<Stored>()).records.map((r) => [r.key, r.fields.name])).toEqual([['ada@example.com', 'Ada Lovelace'], ['bob@example.com', 'Bob Moses'], ['kim@example.com', 'Kim Park']]);
  });

  it('a new id without an email whose other values are those of a record that left keeps that record (rekeyed, still tracked), every run', async () => {
    const state = new MemoryStateStore();
    await run(state, 'f.csv', first);
    for (const name of ['g.csv', 'h.csv']) {
      const next = await run(state, name, 'id,email,name\n2,bob@example.com,Bob Moses\n3,kim@example.com,Kim Park\n4,,Ada Lovelace\n');
      expect(next.results.find((r) => r.id === '4')).toMatchObject({ outcome: 'failed', code: 'missing_match_key' });
      expect(next.results.find((r) => r.id === '1')).toMatchObject({ outcome: 'skipped', code: 'rekeyed' });
    }
    expect((await admin.records<Stored>()).records.map((r) => r.key)).toEqual(['ada@example.com', 'bob@example.com', 'kim@example.com']);
  });
});
