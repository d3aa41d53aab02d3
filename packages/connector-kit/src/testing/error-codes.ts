import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KIT_CODES, NOTICE_CODES, type CodeInfo } from '../errors/codes';

const CODE = '[a-z]+(?:_[a-z]+)*';

/**
 * Where a code literal is reported, in the connectors' and the kit's idioms:
 * `new InputError('code', …)`, `{ code: 'code' }` (also each literal of a conditional after
 * `code:`), `new ConfigError(message, 'code')` (also as the last argument on its own line),
 * `refused('code', …)`, `{ invalid: 'code' }`, `const NAME: SomeCode = 'code'` (a code
 * constant typed by a code type), and the values of a vendor mapping table typed by a code type
 * (`const NAMES: Record<string, SalesforceCode> = { VENDOR: 'code' }`).
 */
const PATTERNS: readonly RegExp[] = [
  new RegExp(`new (?:[A-Z]\\w*Error)\\(\\s*'(${CODE})'`, 'g'),
  new RegExp(`\\bcode: '(${CODE})'`, 'g'),
  new RegExp(`Error\\([^;]*?,\\s*'(${CODE}_${CODE})',?\\s*\\)`, 'gs'),
  new RegExp(`\\n\\s*'(${CODE}_${CODE})',?\\n\\s*\\)`, 'g'),
  new RegExp(`SyncError\\(\\s*'(${CODE})'`, 'g'),
  new RegExp(`\\b(?:refused(?:<\\w+>)?|fail)\\(\\s*'(${CODE}_${CODE})'`, 'g'),
  new RegExp(`\\binvalid: '(${CODE}_${CODE})'`, 'g'),
  new RegExp(`\\bconst [A-Z][A-Z0-9_]*: \\w*Code = '(${CODE})'`, 'g'),
];

/** Literals of a conditional after `code:` (`code: status === 409 ? 'conflict' : 'invalid_request'`). */
const CODE_EXPRESSION = /\bcode: ([^\n]*\?[^\n]*)/g;
/** A mapping table typed by a code type: its body. */
const CODE_TABLE = /Record<string, \w*Code>\s*=\s*\{([^}]*)\}/g;
/** A literal that is a branch of a conditional (`? 'code'`, `: 'code'`, `?? 'code'`). */
const LITERAL = new RegExp(`[?:]\\s*'(${CODE})'`, 'g');
const TABLE_VALUE = new RegExp(`:\\s*'(${CODE})'`, 'g');

function tsFiles(dir: string, exclude: readonly string[]): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return exclude.includes(name) ? [] : tsFiles(path, exclude);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Options of {@link codesInSources}. */
export interface CodeScanOptions {
  /** Folder names (at any depth) not scanned, e.g. `emulator` (the vendor's codes, not the connector's). */
  readonly exclude?: readonly string[];
  /** Files (relative to the folder) not scanned, e.g. the file declaring the codes. */
  readonly skipFiles?: readonly string[];
}

/**
 * Every code literal a folder of TypeScript sources reports (see {@link PATTERNS}), with the
 * files (relative to `dir`) it appears in. A heuristic on purpose: a code built at run time
 * (`` `http_${status}` ``, `vendorCode.toLowerCase()`) is not seen — map vendor codes through
 * a table typed by the code type instead.
 */
export function codesInSources(dir: string, options: CodeScanOptions = {}): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (code: string, file: string) => {
    const files = found.get(code) ?? [];
    if (!files.includes(file)) files.push(file);
    found.set(code, files);
  };
  for (const path of tsFiles(dir, options.exclude ?? [])) {
    const file = relative(dir, path).split('\\').join('/');
    if (options.skipFiles?.includes(file)) continue;
    const text = readFileSync(path, 'utf8');
    for (const pattern of PATTERNS) for (const m of text.matchAll(pattern)) add(m[1] as string, file);
    for (const m of text.matchAll(CODE_EXPRESSION)) for (const l of (m[1] as string).matchAll(LITERAL)) add(l[1] as string, file);
    for (const m of text.matchAll(CODE_TABLE)) for (const v of (m[1] as string).matchAll(TABLE_VALUE)) add(v[1] as string, file);
  }
  return found;
}

/** Options of {@link describeErrorCodes}. */
export interface ErrorCodesOptions extends CodeScanOptions {
  /** The destination's display name, for test names. */
  readonly name: string;
  /** The destination's source folder (`src`). */
  readonly src: string;
  /** The destination's declared codes (its definition's `errorCodes`). */
  readonly declared: Readonly<Record<string, CodeInfo>> | undefined;
  /** Codes the scan must find (that it works at all): a few the sources are known to report. */
  readonly expectFound: readonly string[];
}

/**
 * Registers the tests that keep a destination's codes a closed, documented list: every code
 * its sources report is the kit's (`KIT_CODES`, `NOTICE_CODES`) or declared in its
 * `errorCodes`; every declared code is reported somewhere in its sources (no dead entry)
 * and is not a kit code; each has a meaning and an action. Needs vitest.
 */
export function describeErrorCodes(options: ErrorCodesOptions): void {
  const declared = options.declared ?? {};
  const scan = () => codesInSources(options.src, options);
  describe(`${options.name}: its codes are a closed, documented list`, () => {
    it('declares its codes (errorCodes), none of them the kit’s, each snake_case with a meaning and an action', () => {
      expect(options.declared, 'the definition has errorCodes').toBeDefined();
      for (const [code, info] of Object.entries(declared)) {
        expect(code, 'snake_case').toMatch(/^[a-z]+(_[a-z]+)*$/);
        expect(code in KIT_CODES || code in NOTICE_CODES, `${code} is already the kit’s`).toBe(false);
        expect(info.meaning.length, `${code}'s meaning`).toBeGreaterThan(10);
        expect(info.action.length, `${code}'s action`).toBeGreaterThan(3);
      }
    });

    it('every code its sources report is the kit’s or declared', () => {
      const unknown = [...scan()].filter(([code]) => !(code in KIT_CODES) && !(code in NOTICE_CODES) && !(code in declared));
      expect(unknown, 'codes neither in KIT_CODES nor declared in errorCodes (code, files)').toEqual([]);
    });

    it('every declared code is reported somewhere in its sources (no dead entry)', () => {
      const found = scan();
      expect(Object.keys(declared).filter((code) => !found.has(code)), 'declared codes no source reports').toEqual([]);
    });

    it('finds codes in its sources (the scan itself works)', () => {
      const found = scan();
      for (const code of options.expectFound) expect(found.has(code), code).toBe(true);
    });
  });
}
