import { describe, expect, it } from 'vitest';
import { declarationCompiler, declarationsTsconfig, toCommonJsDeclarations } from '../tsup/declarations';

describe('the declaration build (tools/tsup/declarations.ts)', () => {
  it('points the .d.cts twin at the .cjs twins of its sibling chunks, and leaves packages and other specifiers alone', () => {
    const esm = [
      'import { a as A, b as B } from "./run-types-CxHxFGy7.js";',
      "export { c as C } from '../shared/x-1.js';",
      'type T = typeof import("./lazy.js");',
      'import { z } from "zod";',
      'import { Readable } from "node:stream";',
      'import type { X } from "@syncmodes/connector-kit";',
      'import "./side-effect-B2.js";',
      'import "./data.json";',
      '/** See "./not-an-import.js" in a comment. */',
    ].join('\n');
    expect(toCommonJsDeclarations(esm).split('\n')).toEqual([
      'import { a as A, b as B } from "./run-types-CxHxFGy7.cjs";',
      "export { c as C } from '../shared/x-1.cjs';",
      'type T = typeof import("./lazy.cjs");',
      'import { z } from "zod";',
      'import { Readable } from "node:stream";',
      'import type { X } from "@syncmodes/connector-kit";',
      'import "./side-effect-B2.cjs";',
      'import "./data.json";',
      '/** See "./not-an-import.js" in a comment. */',
    ]);
  });

  it('emits with tsgo unless SYNCMODES_DTS_COMPILER asks for tsc, and refuses anything else', () => {
    expect(declarationCompiler({})).toBe('tsgo');
    expect(declarationCompiler({ SYNCMODES_DTS_COMPILER: 'tsc' })).toBe('tsc');
    expect(() => declarationCompiler({ SYNCMODES_DTS_COMPILER: 'tsup' })).toThrow('SYNCMODES_DTS_COMPILER must be "tsgo" or "tsc", not "tsup"');
  });

  it('emits from src only, without the tests and without the @syncmodes/source condition', () => {
    expect(declarationsTsconfig()).toEqual({
      extends: './tsconfig.json',
      compilerOptions: { customConditions: [], noEmit: false, declarationMap: false },
      include: ['src'],
      exclude: ['src/**/*.test.ts'],
    });
  });
});
