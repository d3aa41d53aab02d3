import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvSource, runSync } from '@syncmodes/connector-kit';
import { perTestEmulator } from '@syncmodes/connector-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { salesforceDestination } from '../src/index';
import { readContacts, startEmulator } from './salesforce-harness';

const FAST = { minTimeoutMs: 5, maxTimeoutMs: 20, defaultRateLimitWaitMs: 20 };
const dir = mkdtempSync(join(tmpdir(), 'syncmodes-blank-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Fresh helper 103, F1 (major): an export ending in a row of commas (what Excel writes for an empty line) failed that
// row missing_record_id, so the source read as incomplete and sync mode deleted nobody who had left, run after run.
describe('Salesforce: a CSV export ending in rows of empty cells', () => {
  const t = perTestEmulator(startEmulator);

  it('sync mode deletes the Contact whose row left; the rows of commas are no rows; nothing fails', async () => {
    const write = (name: string, lines: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, lines.join('\r\n') + '\r\n');
      return path;
    };
    const mapping = { idColumn: 'cid', fields: { Email: 'email', LastName: 'last' } };
    const run = (path: string) => runSync({ collectResults: true, destination: salesforceDestination, config: t.env.config, mode: 'sync', source: csvSource(path, mapping), state: t.state, retry: FAST, guard: { maxDeletes: 10 } });
    const first = await run(write('first.csv', ['cid,email,last', 'A1,m1@example.com,L1', 'A2,m2@example.com,L2', 'A3,m3@example.com,L3']));
    expect(first.counts).toMatchObject({ created: 3, failed: 0 });

    const second = await run(write('second.csv', ['cid,email,last', 'A1,m1@example.com,L1', 'A2,m2@example.com,L2', ',,', '  ,  ,  ']));
    expect(Object.fromEntries(second.results.map((r) => [r.id, r.code ?? r.outcome]))).toEqual({ A1: 'unchanged', A2: 'unchanged', A3: 'deleted' });
    expect(second.counts.failed).toBe(0);
    expect((await readContacts(t.env.admin)).map((c) => c.key).sort()).toEqual(['m1@example.com', 'm2@example.com']);
  });
});
