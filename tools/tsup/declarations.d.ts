/**
 * Which compiler emits the declarations before they are bundled: `tsgo` (TypeScript's
 * native port, `@typescript/native-preview`; a package's declarations in about 4 s on two
 * cores) or `tsc` (TypeScript 5.9 through its API; about 25 s). Set
 * `SYNCMODES_DTS_COMPILER=tsc` to build with `tsc` if `tsgo` ever emits something wrong.
 */
export type DeclarationCompiler = 'tsgo' | 'tsc';
/** The compiler `SYNCMODES_DTS_COMPILER` asks for; `tsgo` when unset. */
export declare function declarationCompiler(env?: NodeJS.ProcessEnv): DeclarationCompiler;
/**
 * The CommonJS twin of a bundled `.d.ts`: the same declarations, with the relative
 * specifiers of its sibling chunks pointing at their `.d.cts` twins (`./x.js` → `./x.cjs`),
 * so a `require` consumer's types never cross into the ESM declarations.
 */
export declare function toCommonJsDeclarations(code: string): string;
/**
 * Writes the bundled type declarations of a package's entries into `dist`: `<name>.d.ts`
 * for the ESM entry and `<name>.d.cts` for the CommonJS one (with shared chunks, as tsup's
 * `dts` wrote them), so `exports` (types first) and "are the types wrong" are unchanged.
 * The declarations are emitted by `tsgo` (or `tsc`, see {@link declarationCompiler}) over
 * the package's `tsconfig.json`, then bundled by rolldown-plugin-dts; every bare specifier
 * (dependencies, `node:` modules, the other `@syncmodes/*` packages) stays an import.
 *
 * @param entry - entry name → source path relative to `dir`, e.g. `{ index: 'src/index.ts' }`.
 * @param dir - the package folder (default: the working directory, as tsup runs).
 * @throws Error when the compiler or the bundler fails (the build then fails).
 */
export declare function buildDeclarations(entry: Record<string, string>, dir?: string): Promise<void>;
