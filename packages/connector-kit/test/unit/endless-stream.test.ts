import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openSource } from '../../src/sources/open-source';
import { DEFAULT_MAX_ANSWER_BYTES, maxAnswerBytes } from '../../src/destination/answer-size';
import { defaultReserve, maxStreamBytes, streamSource } from '../../src/sources/stream-source';

const drain = async (source: { open(): AsyncIterable<unknown> }) => {
  for await (const _ of source.open()) void _;
};

/** Second trial of stop 31: `--from /dev/zero` (or `cat /dev/zero |`) was copied forever, no output, until Ctrl-C. */
describe('a stream of rows that never ends a line', () => {
  it('is cut once a line passes maxLineBytes: unreadable_file, nothing read past it', async () => {
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 65_536;
        this.push(Buffer.alloc(65_536, 0x61));
      },
    });
    const source = streamSource(endless, 'stdin', () => ({ name: 'x', open: async function* () { yield* []; } }), { maxLineBytes: 1_000_000 });
    await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/stdin: a line is still not ended after 1,000,000 bytes/) });
    expect(sent).toBeLessThan(4_000_000);
    await source.dispose();
  });

  it('lines of rows pass whatever the stream holds', async () => {
    const rows = Readable.from(Array.from({ length: 50 }, () => Buffer.from('x'.repeat(30_000) + '\n')));
    let opened = false;
    const copy = { name: 'x', async *open() { opened = true; yield* []; } };
    const source = streamSource(rows, 'stdin', () => copy, { maxLineBytes: 40_000 });
    await drain(source);
    expect(opened).toBe(true);
    await source.dispose();
  });

  it('/dev/zero as a CSV source ends unreadable_file within seconds', async () => {
    const source = openSource('/dev/zero', { idColumn: 'a', fields: { Email: 'a' } }, 'csv');
    const started = Date.now();
    await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file' });
    expect(Date.now() - started).toBeLessThan(30_000);
    if ('dispose' in source) await source.dispose();
  }, 60_000);

  it('/dev/zero as a JSON source ends unreadable_file at once: not a JSON document (re-check of stop 31)', async () => {
    const source = openSource('/dev/zero', { idColumn: 'a', fields: { Email: 'a' } }, 'json');
    await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/not a JSON document/) });
    if ('dispose' in source) await source.dispose();
  }, 30_000);

  it('CSV: a quote opening a value and never closed, then endless short lines (`yes` piped in), is cut once that row passes maxLineBytes (second trial of stop 32: 6.8 GB copied in 15 s)', async () => {
    let sent = 0;
    let first = true;
    const endless = new Readable({
      read() {
        const text = first ? 'id,email\n1,"a\n' : 'xxxx\n'.repeat(10_000);
        first = false;
        sent += text.length;
        this.push(Buffer.from(text));
      },
    });
    const source = streamSource(endless, 'stdin', () => ({ name: 'x', open: async function* () { yield* []; } }), { maxLineBytes: 1_000_000, csvQuotes: true });
    await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/stdin: a quoted value is still not closed after 1,000,000 bytes/) });
    expect(sent).toBeLessThan(4_000_000);
    await source.dispose();
  });

  it('CSV: closed quotes (with escaped quotes and quoted line breaks), quotes inside unquoted values and quoted values after ; or tab pass, however long the stream', async () => {
    const row = '1,"Ann ""A"" Alpha","line one\nline two",5\'11",x;"y",z\t"w"\r\n';
    const rows = Readable.from(Array.from({ length: 2_000 }, () => Buffer.from(row)));
    let opened = false;
    const copy = { name: 'x', async *open() { opened = true; yield* []; } };
    const source = streamSource(rows, 'stdin', () => copy, { maxLineBytes: 10_000, csvQuotes: true });
    await drain(source);
    expect(opened).toBe(true);
    await source.dispose();
  });

  it('a temporary folder that cannot take the copy fails unreadable_file naming that folder and TMPDIR, never the state store (second trial of stop 32: a full /tmp blamed state.sqlite)', async () => {
    const before = process.env.TMPDIR;
    process.env.TMPDIR = '/nonexistent-syncmodes-tmp';
    try {
      const source = streamSource(Readable.from([Buffer.from('id,email\n1,a@x.com\n')]), 'stdin', () => ({ name: 'x', open: async function* () { yield* []; } }), { maxLineBytes: 1_000_000, csvQuotes: true });
      await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/^stdin could not be copied to the temporary folder \/nonexistent-syncmodes-tmp \(it is gone: ENOENT\).*set TMPDIR/) });
      await source.dispose();
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
  });

  it('a stream whose copy would leave less than keepFreeBytes free in the temporary folder is cut unreadable_file, before the disk fills (re-check of stop 32: endless valid rows, 10 GB in 40 s)', async () => {
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 1;
        this.push(Buffer.from('1,a@x.com\n'.repeat(1_000)));
      },
    });
    const source = streamSource(endless, 'stdin', () => ({ name: 'x', open: async function* () { yield* []; } }), { maxLineBytes: 1_000_000, csvQuotes: true, keepFreeBytes: Number.MAX_SAFE_INTEGER });
    await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/^stdin: after [\d,]+ bytes copied, the temporary folder .* free; the copy stopped before it filled the disk/) });
    expect(sent).toBeLessThan(100);
    await source.dispose();
  });

  it('a stream past SYNCMODES_MAX_STREAM_BYTES (default 16 GiB) is cut unreadable_file, whatever room the disk has (trial 20b N3: 42 GB of a shared disk would have gone)', async () => {
    expect(maxStreamBytes()).toBe(16 * 1024 ** 3);
    process.env.SYNCMODES_MAX_STREAM_BYTES = String(1024 ** 2);
    try {
      let sent = 0;
      const endless = new Readable({
        read() {
          sent += 1;
          this.push(Buffer.from('1,a@x.com\n'.repeat(1_000)));
        },
      });
      const source = streamSource(endless, 'stdin', () => ({ name: 'x', open: async function* () { yield* []; } }), { maxLineBytes: 1_000_000, csvQuotes: true, keepFreeBytes: 0 });
      await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file', message: 'stdin: more than 1.0 MB came in, the most a stream is copied (SYNCMODES_MAX_STREAM_BYTES); the copy stopped (a stream that never ends?). Give the source as a file path, or set SYNCMODES_MAX_STREAM_BYTES higher.' });
      expect(sent).toBeLessThan(200);
      await source.dispose();
    } finally {
      delete process.env.SYNCMODES_MAX_STREAM_BYTES;
    }
  });

  it('a SYNCMODES_MAX_STREAM_BYTES or SYNCMODES_MAX_ANSWER_BYTES that is not a whole number above 0 is refused invalid_config naming it, never the default without a word (trial 20b NEW-5); a limit under 1 MB is told in bytes', async () => {
    for (const name of ['SYNCMODES_MAX_STREAM_BYTES', 'SYNCMODES_MAX_ANSWER_BYTES'] as const) {
      const read = name === 'SYNCMODES_MAX_STREAM_BYTES' ? maxStreamBytes : maxAnswerBytes;
      try {
        for (const bad of ['16GB', '-1', '1e9', '0', '1.5', '99999999999999999999', 'x'.repeat(100)]) {
          process.env[name] = bad;
          expect(() => read(), bad).toThrow(expect.objectContaining({ code: 'invalid_config', retryable: false, message: expect.stringContaining(`${name} is "${bad.slice(0, 40)}`) }));
        }
        for (const unset of ['', '  ']) {
          process.env[name] = unset;
          expect(read()).toBe(name === 'SYNCMODES_MAX_STREAM_BYTES' ? 16 * 1024 ** 3 : DEFAULT_MAX_ANSWER_BYTES);
        }
        process.env[name] = ' 5000 ';
        expect(read()).toBe(5000);
      } finally {
        delete process.env[name];
      }
    }
    process.env.SYNCMODES_MAX_STREAM_BYTES = '10';
    try {
      const source = streamSource(Readable.from(['id,email\n1,a@x.com\n']), 'stdin', () => ({ name: 'x', open: async function* () { yield* []; } }), { keepFreeBytes: 0 });
      await expect(drain(source)).rejects.toMatchObject({ code: 'unreadable_file', message: expect.stringMatching(/^stdin: more than 10 bytes came in/) });
      await source.dispose();
    } finally {
      delete process.env.SYNCMODES_MAX_STREAM_BYTES;
    }
  });

  it('the default reserve is 1 GiB, or 5% of a file system smaller than 20 GiB (re-check of stop 32: 200 bytes refused in a 20 MB /tmp)', () => {
    expect(defaultReserve(20 * 1024 ** 2)).toBe(1024 ** 2);
    expect(defaultReserve(100 * 1024 ** 3)).toBe(1024 ** 3);
  });
});

describe('copies left by killed processes (trial 20b N15)', () => {
  it('a copy folder of a process that no longer runs is removed when the next stream is copied; one of a running process is kept', async () => {
    const { mkdirSync, existsSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dead = join(tmpdir(), 'syncmodes-stream-2147483646-abc123');
    const live = join(tmpdir(), `syncmodes-stream-${process.pid}-keep99`);
    for (const dir of [dead, live]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'source'), 'id,email\n1,a@x.com\n');
    }
    const source = streamSource(Readable.from(['id,email\n1,a@x.com\n']), 'stdin', () => ({ name: 'x', open: async function* () { yield* []; } }));
    await drain(source);
    await source.dispose();
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(live)).toBe(true);
    const { rmSync } = await import('node:fs');
    rmSync(live, { recursive: true, force: true });
  });
});
