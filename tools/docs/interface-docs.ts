import ts from 'typescript';

/** One documented member of an interface (nested members are named `parent.child`). */
export interface MemberDoc {
  readonly name: string;
  /** The declared type as written, without `| undefined`. */
  readonly type: string;
  readonly required: boolean;
  /** The `@defaultValue` text (Markdown), when the member has one. */
  readonly defaultValue: string | undefined;
  /** The TSDoc summary (Markdown), on one line. */
  readonly description: string;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

function withoutUndefined(type: string): string {
  return type
    .split(/\s*\|\s*(?![^(<{[]*[)>}\]])/)
    .filter((part) => part !== 'undefined')
    .join(' | ')
    .replace(/^\((.*)\)$/s, '$1');
}

/** The interface a member's type names (directly, or inside `Partial<…>`), when it holds plain settings (no methods) — those are documented member by member. */
function nestedInterface(checker: ts.TypeChecker, node: ts.TypeNode | undefined): { decl: ts.InterfaceDeclaration; partial: boolean } | undefined {
  let partial = false;
  let current = node;
  if (current && ts.isUnionTypeNode(current)) current = current.types.find((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword);
  if (current && ts.isTypeReferenceNode(current) && current.typeName.getText() === 'Partial' && current.typeArguments?.length === 1) {
    partial = true;
    current = current.typeArguments[0];
  }
  if (!current || !ts.isTypeReferenceNode(current)) return undefined;
  let symbol = checker.getSymbolAtLocation(current.typeName);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const decl = symbol?.declarations?.find(ts.isInterfaceDeclaration);
  if (!decl || decl.getSourceFile().isDeclarationFile) return undefined;
  const plain = decl.members.every((m) => ts.isPropertySignature(m) && !(m.type && ts.isFunctionTypeNode(m.type)));
  return plain ? { decl, partial } : undefined;
}

function typeText(member: ts.PropertySignature, params: ReadonlyMap<string, string>): string {
  const text = withoutUndefined(member.type?.getText() ?? 'unknown');
  return params.get(text) ?? text;
}

function membersOf(checker: ts.TypeChecker, decl: ts.InterfaceDeclaration, prefix: string, optional: boolean): MemberDoc[] {
  const params = new Map((decl.typeParameters ?? []).map((p) => [p.name.getText(), p.constraint?.getText() ?? 'unknown']));
  const out: MemberDoc[] = [];
  for (const member of decl.members) {
    if (!ts.isPropertySignature(member)) continue;
    const name = `${prefix}${member.name.getText()}`;
    const symbol = checker.getSymbolAtLocation(member.name);
    const description = oneLine(ts.displayPartsToString(symbol?.getDocumentationComment(checker) ?? []));
    const tag = symbol?.getJsDocTags(checker).find((t) => t.name === 'defaultValue');
    const required = !optional && member.questionToken === undefined;
    const nested = nestedInterface(checker, member.type);
    out.push({ name, type: typeText(member, params), required, defaultValue: tag ? oneLine(ts.displayPartsToString(tag.text)) : undefined, description });
    if (nested) out.push(...membersOf(checker, nested.decl, `${name}.`, !required || nested.partial));
  }
  return out;
}

/** Interfaces read from one TypeScript program (one parse of the files and what they import). */
export interface InterfaceReader {
  /**
   * The members of interface `name` in `file`, from the source and its TSDoc (summary and
   * `@defaultValue`), in declaration order. A member whose type is another interface of
   * plain settings (`guard: DeletionGuardOptions`, `retry: Partial<RetryPolicy>`) is
   * followed by that interface's members as `guard.maxDeletes`.
   */
  docs(file: string, name: string): MemberDoc[];
}

/** A reader over `files` (absolute paths), compiled with the TypeScript compiler API. */
export function interfaceReader(files: readonly string[]): InterfaceReader {
  const program = ts.createProgram([...files], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  return {
    docs(file, name) {
      const source = program.getSourceFile(file);
      const decl = source?.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === name);
      if (!decl) throw new Error(`No interface ${name} in ${file}`);
      return membersOf(checker, decl, '', false);
    },
  };
}
