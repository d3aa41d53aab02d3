import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MemoryStateStore, SqliteStateStore } from '../../src/index';
import { describeStateStoreContract } from '../../src/testing/index';

const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

describeStateStoreContract('SQLite (file)', async () => new SqliteStateStore(join(dir, `state-${++n}.sqlite`)));
describeStateStoreContract('SQLite (:memory:)', async () => new SqliteStateStore(':memory:'));
describeStateStoreContract('memory', async () => new MemoryStateStore());
