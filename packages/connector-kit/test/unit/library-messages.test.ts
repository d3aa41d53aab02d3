import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkDeletionGuard, ConfigError, defineDestination, InputError, KIT_CODES, openSource, parseConfig, resolveSyncMode, secret } from '../../src/index';
import { tinyDestination } from '../tiny/tiny-destination';

const SRC = join(__dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** The kit's code with comments taken out: what can end up in a message. */
const code = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\/\/.*$/, '').replace(/\s\/\/ .*$/, ''))
    .join('\n');

/** npm's own flags, which a message may tell a user to type. */
const NPM_FLAGS = new Set(['--save-dev']);

describe('library messages name library options, never CLI flags', () => {
  it('no string in the kit’s sources names a command-line flag (the CLI translates by code, see packages/cli)', () => {
    const found: string[] = [];
    for (const file of files(SRC)) {
      for (const m of code(readFileSync(file, 'utf8')).matchAll(/(?<![\w-])--[a-z][a-z-]+/g)) {
        if (!NPM_FLAGS.has(m[0])) found.push(`${file.slice(SRC.length + 1)}: ${m[0]}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('no code’s "what to do" names a flag', () => {
    for (const [name, info] of Object.entries(KIT_CODES)) expect(info.action, name).not.toMatch(/(^|\s|\()--[a-z]/);
  });

  it('the deletion guard names guard.maxDeletes and guard.allowEmptySource', () => {
    expect(checkDeletionGuard({ plannedDeletes: 20, ownedRecords: 30, sourceRecords: 10, stateRecords: 30 })?.message).toContain('guard.maxDeletes: 20');
    expect(checkDeletionGuard({ plannedDeletes: 20, ownedRecords: 30, sourceRecords: 10, stateRecords: 30 }, { maxDeletes: 5 })?.message).toContain('raise the limit with guard.maxDeletes: 20');
    expect(checkDeletionGuard({ plannedDeletes: 30, ownedRecords: 30, sourceRecords: 0, stateRecords: 30 })?.message).toContain('guard.allowEmptySource: true');
    expect(checkDeletionGuard({ plannedDeletes: 30, ownedRecords: 30, sourceRecords: 0, stateRecords: 30 })?.message).toMatch(/^The source has no records but this sync has exported 30 before\./);
    // Rows that all failed (a header that does not fit them): said so, not "no records" (third trial of stop 27).
    expect(checkDeletionGuard({ plannedDeletes: 30, ownedRecords: 30, sourceRecords: 0, sourceRows: 12, stateRecords: 30 })?.message).toMatch(/^None of the source's 12 row\(s\) could be read as a record \(each row's error says why/);
  });

  it('a file of unknown format names openSource’s format argument; a destination without a default mode names the mode option', () => {
    const error = (() => {
      try {
        openSource('people.xlsx', { idColumn: 'id', fields: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toContain('give openSource its format argument');
    expect(() => resolveSyncMode({ id: 'x', syncModes: ['sync', 'enrich'] })).toThrow(/choose one with the mode option/);
  });
});

describe('parseConfig names a secret by its environment variable, never its value', () => {
  it('a missing secret names TINY_TOKEN and how to pass it', () => {
    expect(() => parseConfig(tinyDestination, { baseUrl: 'http://127.0.0.1:1' })).toThrow(ConfigError);
    expect(() => parseConfig(tinyDestination, { baseUrl: 'http://127.0.0.1:1' })).toThrow(
      'Invalid Tiny configuration: token: missing — the secret from the TINY_TOKEN environment variable (pass its value as config.token)',
    );
    expect(() => parseConfig(tinyDestination, { baseUrl: 'http://127.0.0.1:1', token: '' })).toThrow(/token: missing — the secret from the TINY_TOKEN environment variable/);
  });

  it('an invalid secret names its variable, and its value never appears, even in a custom zod message', () => {
    const leaky = defineDestination({
      ...tinyDestination,
      displayName: 'Leaky',
      configSchema: z.object({
        apiKey: secret(
          z.string().refine((v) => v.startsWith('key-'), { error: (issue) => `expected key-…, got ${String(issue.input)}` }),
          'LEAKY_API_KEY',
        ),
        url: z.url(),
      }),
    } as never);
    let message = '';
    try {
      parseConfig(leaky, { apiKey: 'sk-live-very-secret', url: 'not a url' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('apiKey (the secret from the LEAKY_API_KEY environment variable): expected key-…, got [redacted] (the value is not shown)');
    expect(message).toContain('url: Invalid URL');
    expect(message).not.toContain('sk-live-very-secret');
  });

  it('a secret without a declared variable is still named as a secret; other fields keep zod’s message', () => {
    const plain = { ...tinyDestination, displayName: 'Plain', configSchema: z.object({ password: secret(z.string().min(1)), port: z.number() }) };
    expect(() => parseConfig(plain as never, { port: 'x' })).toThrow('password: missing — a secret (pass its value as config.password); port: Invalid input: expected number, received string');
  });

  it('a required option left out says so, with its description (zod only said "expected string, received undefined")', () => {
    const listy = { ...tinyDestination, displayName: 'Listy', configSchema: z.object({ listId: z.string().describe('The list people join.'), region: z.string() }) };
    expect(() => parseConfig(listy as never, {})).toThrow('Invalid Listy configuration: listId: missing — a required option (The list people join); give it a value; region: missing — a required option; give it a value');
    // Fresh reviewer 154, F5: a refinement naming an absent optional field keeps its own message.
    const refined = { ...tinyDestination, displayName: 'Refined', configSchema: z.object({ a: z.string(), b: z.string().optional() }).refine((c) => c.a !== 'x' || c.b !== undefined, { message: 'b is needed when a is x', path: ['b'] }) };
    expect(() => parseConfig(refined as never, { a: 'x' })).toThrow('Invalid Refined configuration: b: b is needed when a is x');
  });
});
