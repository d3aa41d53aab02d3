import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../src/index';
import { loadSqlite } from '../../src/state/load-sqlite';
import { openStateFile } from '../../src/state/sqlite-file';

const FIXTURE = fileURLToPath(new URL('../fixtures/open-state-together.ts', import.meta.url));

function open(path: string, at: number, name: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@syncmodes/source', FIXTURE, path, String(at), name], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('the SQLite state file (#17: two runs started together on a new state directory)', () => {
  it('is created whole: six processes opening one new state file at the same moment all get it, and no temporary file is left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-file-'));
    const path = join(dir, 'state', 'state.sqlite');
    const at = Date.now() + 4_000; // after every process has loaded
    const runs = await Promise.all(Array.from({ length: 6 }, (_, i) => open(path, at, `sync${i}`)));
    for (const run of runs) expect(run, run.out).toMatchObject({ code: 0 });
    const store = new SqliteStateStore(path);
    expect((await store.listSyncs()).map((s) => s.syncId).sort()).toEqual(['sync0', 'sync1', 'sync2', 'sync3', 'sync4', 'sync5']);
    store.close();
    expect(readdirSync(join(dir, 'state')).filter((f) => f.includes('.creating-'))).toEqual([]);
  }, 30_000);

  // Fresh trial 140, F3: the state holds each record's values in clear (a Facebook audience's emails and phones too), and the
  // file was created world-readable (0644 under the usual umask).
  it('is created readable by its owner only (0600, its -wal and -shm too), in a new folder only its owner may enter (0700)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-file-'));
    const path = join(dir, 'state', 'state.sqlite');
    const store = new SqliteStateStore(path);
    await store.put('s', [{ recordId: 'a', destinationId: 'd1', matchKey: 'a@example.com', hash: 'h', owned: true, departed: false, snapshot: { properties: { email: 'a@example.com' }, groups: [] } }]);
    const mode = (file: string) => statSync(file).mode & 0o777;
    expect(mode(join(dir, 'state'))).toBe(0o700);
    for (const file of readdirSync(join(dir, 'state'))) expect([file, mode(join(dir, 'state', file))]).toEqual([file, 0o600]);
    expect(readdirSync(join(dir, 'state')).sort()).toEqual(['state.sqlite', 'state.sqlite-shm', 'state.sqlite-wal']);
    store.close();
  });

  it('never shows a half-created (0-byte) file at its path while it is being created', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-file-'));
    const path = join(dir, 'state.sqlite');
    const seen: number[] = [];
    const look = () => seen.push(existsSync(path) ? statSync(path).size : -1);
    const Base = loadSqlite();
    // A real better-sqlite3 database that looks at the state file's path at every step of its creation.
    class Watching extends Base {
      constructor(file: string) {
        super(file);
        look();
      }
      override pragma(...args: Parameters<InstanceType<typeof Base>['pragma']>) {
        const out = super.pragma(...args);
        look();
        return out;
      }
    }
    const db = openStateFile(Watching as unknown as typeof Base, path);
    db.close();
    expect(seen.filter((size) => size === 0)).toEqual([]);
    expect(seen.length).toBeGreaterThan(1);
    expect(statSync(path).size).toBeGreaterThan(0);
  });

  it('a new state file the disk could not hold whole is never put in place: state_unwritable, not "corrupt" (fifth trial of stop 28: a 100 KB disk)', () => {
    const Base = loadSqlite();
    // A real better-sqlite3 database whose file loses everything past its first page when the
    // creating connection closes, as on a disk that filled during the checkpoint.
    class Cut extends Base {
      constructor(private readonly file: string, options?: ConstructorParameters<typeof Base>[1]) {
        super(file, options);
      }
      override close() {
        const out = super.close();
        if (this.file.includes('.creating-')) truncateSync(this.file, 4096);
        return out;
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-file-'));
    const path = join(dir, 'state.sqlite');
    expect(() => openStateFile(Cut as unknown as typeof Base, path)).toThrow(expect.objectContaining({ code: 'state_unwritable', message: expect.stringContaining('check free disk space') }));
    expect(readdirSync(dir)).toEqual([]);
    // A checkpoint that could not write everything fails the creation too.
    class Stuck extends Base {
      override pragma(...args: Parameters<InstanceType<typeof Base>['pragma']>) {
        return args[0] === 'wal_checkpoint(TRUNCATE)' ? [{ busy: 0, log: 4, checkpointed: 1 }] : super.pragma(...args);
      }
    }
    expect(() => openStateFile(Stuck as unknown as typeof Base, path)).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }));
    expect(readdirSync(dir)).toEqual([]);
    const store = new SqliteStateStore(path);
    store.close();
  });

  it('refuses a 0-byte state file (its state is lost, not new) once it stayed empty for 2 s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-file-'));
    writeFileSync(join(dir, 'state.sqlite'), '');
    const started = Date.now();
    expect(() => new SqliteStateStore(join(dir, 'state.sqlite'))).toThrow(/is empty \(0 bytes\)/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
  });

  // Fresh reviewer 143, F4: where the file system cannot hard-link, another run creates the state file in place, and it is
  // empty until SQLite writes its first page: a run starting then refused it at once as a lost state.
  it('opens a 0-byte state file another process fills within 2 s (another run creating it in place)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-file-'));
    const made = join(dir, 'made.sqlite');
    new SqliteStateStore(made).close();
    const path = join(dir, 'state.sqlite');
    writeFileSync(path, '');
    const code = `const fs = require('node:fs'); const bytes = fs.readFileSync(process.argv[1]); console.log('ready'); setTimeout(() => fs.writeFileSync(process.argv[2], bytes), 500);`;
    const child = spawn(process.execPath, ['-e', code, made, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const store = new SqliteStateStore(path);
    expect(await store.listSyncs()).toEqual([]);
    store.close();
    await new Promise((resolve) => child.on('close', resolve));
  });
});

/** Another process on the same file: takes the write lock, signals, writes, and commits after `holdMs`. */
function writeElsewhere(path: string, holdMs: number): { locked: Promise<void>; done: Promise<number | null> } {
  const code = `
    const db = new (require('better-sqlite3'))(process.argv[1]);
    db.exec('BEGIN IMMEDIATE');
    db.prepare("INSERT INTO records (sync_id, record_id, destination_id, match_key, snapshot, hash, owned, departed, updated_at, not_found, pending) VALUES ('other', 'x', 'dx', 'k', '{}', 'h', 1, 0, 0, 0, 0)").run();
    console.log('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]));
    db.exec('COMMIT');
    db.close();`;
  const child = spawn(process.execPath, ['-e', code, path, String(holdMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const locked = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { locked, done };
}

describe('the SQLite state file with a second process writing to it (#17: two runs on one state directory)', () => {
  it('a state write waits for the other writer and then commits (a transaction that reads the lease and then writes got SQLITE_BUSY at once: SQLite never lets a reader wait to become the writer)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-file-'));
    const path = join(dir, 'state.sqlite');
    const store = new SqliteStateStore(path);
    await store.registerSync({ syncId: 's', destination: 'tiny', identity: {} });
    const lease = await store.acquireLease('s', { holder: 'here', ttlMs: 60_000 });
    const other = writeElsewhere(path, 300);
    await other.locked;
    const entry = { recordId: 'r1', destinationId: 'd1', matchKey: 'k', snapshot: { properties: {}, groups: [] }, hash: 'h', owned: true, departed: false };
    await store.put('s', [entry], lease);
    await store.remove('s', ['r1'], lease);
    await store.put('s', [{ ...entry, recordId: 'r2' }], lease);
    expect(await other.done).toBe(0);
    expect([...(await store.get('s', ['r1', 'r2'])).keys()]).toEqual(['r2']);
    expect(await store.count('other')).toBe(1);
    store.close();
  });
});

describe('a read-only copy of the state (trial 19b F9: `state list` and `runs` on a state that cannot be written failed state_unwritable)', () => {
  const info = (syncId: string) => ({ syncId, destination: 'tiny', identity: { baseUrl: 'x' }, name: syncId });

  it('reads what the file holds; what is written goes to the copy only, never the file', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'syncmodes-state-copy-')), 'state.sqlite');
    const store = new SqliteStateStore(path);
    await store.registerSync(info('one'));
    store.close();
    expect(existsSync(`${path}-wal`) ? statSync(`${path}-wal`).size : 0).toBe(0);
    const copy = new SqliteStateStore(path, { readOnlyCopy: true });
    expect((await copy.listSyncs()).map((s) => s.syncId)).toEqual(['one']);
    await copy.registerSync(info('two'));
    copy.close();
    const again = new SqliteStateStore(path);
    expect((await again.listSyncs()).map((s) => s.syncId)).toEqual(['one']);
    again.close();
  });

  it('refuses a file whose last changes are still in its -wal file (the copy would miss them): state_unreadable naming it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'syncmodes-state-copy-')), 'state.sqlite');
    const writer = new SqliteStateStore(path);
    try {
      await writer.registerSync(info('one'));
      expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
      expect(() => new SqliteStateStore(path, { readOnlyCopy: true })).toThrow(expect.objectContaining({ code: 'state_unreadable', message: expect.stringContaining(`its last changes are still in ${path}-wal`) }));
    } finally {
      writer.close();
    }
  });

  it('refuses a missing, empty or foreign file as the store does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncmodes-state-copy-'));
    expect(() => new SqliteStateStore(join(dir, 'none.sqlite'), { readOnlyCopy: true })).toThrow(expect.objectContaining({ code: 'state_unreadable' }));
    writeFileSync(join(dir, 'empty.sqlite'), '');
    expect(() => new SqliteStateStore(join(dir, 'empty.sqlite'), { readOnlyCopy: true })).toThrow(expect.objectContaining({ code: 'state_unreadable', message: expect.stringContaining('empty (0 bytes)') }));
    writeFileSync(join(dir, 'text.sqlite'), 'id,email\n1,a@x.com\n');
    expect(() => new SqliteStateStore(join(dir, 'text.sqlite'), { readOnlyCopy: true })).toThrow(expect.objectContaining({ code: 'state_unreadable' }));
  });
});
