import { join } from 'node:path';
import { KIT_CODES, NOTICE_CODES, type CodeInfo } from '@syncmodes/connector-kit';
import { interfaceReader, type MemberDoc } from './interface-docs';

const NOTE = (from: string) => `<!-- Generated from ${from} by \`npm run docs\`; do not edit by hand. -->`;

/** A Markdown table cell: one line, pipes escaped (also inside code spans, which GitHub splits on). */
export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** Prose for a table cell: as {@link cell}, with `<` and `>` outside code spans escaped (GitHub would take `<file>` for a tag and drop it). */
export const prose = (text: string) =>
  cell(
    text
      .split(/(`[^`]*`)/)
      .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
      .join(''),
  );
const code = (text: string) => `\`${text}\``;

/** Where the documented interfaces are, relative to the kit's folder. */
export const KIT_INTERFACES = {
  RunSyncOptions: 'src/engine/run-types.ts',
  SyncRunSummary: 'src/engine/run-types.ts',
  RecordResult: 'src/records/outcome.ts',
  SyncReport: 'src/report/sync-report.ts',
} as const;

/** The documented members of each of {@link KIT_INTERFACES}, read from the kit's sources. */
export function kitInterfaces(kitDir: string): Record<keyof typeof KIT_INTERFACES, MemberDoc[]> {
  const names = Object.keys(KIT_INTERFACES) as (keyof typeof KIT_INTERFACES)[];
  const reader = interfaceReader([...new Set(names.map((n) => join(kitDir, KIT_INTERFACES[n])))]);
  return Object.fromEntries(names.map((n) => [n, reader.docs(join(kitDir, KIT_INTERFACES[n]), n)])) as Record<keyof typeof KIT_INTERFACES, MemberDoc[]>;
}

/** The `runSync` options table: option, type, default (or "required"), meaning. */
export function renderRunSyncOptions(members: readonly MemberDoc[]): string {
  const rows = members.map((m) => {
    const def = m.required ? '**required**' : (m.defaultValue ?? (m.name.includes('.') ? '—' : 'see below'));
    return `| ${code(m.name)} | ${cell(code(m.type))} | ${prose(def)} | ${prose(m.description)} |`;
  });
  return [NOTE('the TSDoc of `RunSyncOptions` (`@defaultValue`) and the interfaces it nests'), '', '| option | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** A shape table (summary, result, report): field (`?` when it may be absent), type, meaning. */
export function renderShape(name: string, members: readonly MemberDoc[]): string {
  const rows = members.map((m) => `| ${code(`${m.name}${m.required ? '' : '?'}`)} | ${cell(code(m.type))} | ${prose(m.description)} |`);
  return [NOTE(`the TSDoc of \`${name}\``), '', '| field | type | meaning |', '|---|---|---|', ...rows].join('\n');
}

const SCOPES: Record<CodeInfo['scope'], string> = { record: 'record', run: 'run', config: 'config' };

/** The error-code table: every code of `KIT_CODES` (scope, retryable, meaning, what to do), then the notices. */
export function renderErrorCodes(codes: Readonly<Record<string, CodeInfo>> = KIT_CODES, notices: Readonly<Record<string, string>> = NOTICE_CODES): string {
  const rows = Object.entries(codes).map(([name, info]) => `| ${code(name)} | ${SCOPES[info.scope]} | ${info.retryable ? 'yes' : 'no'} | ${prose(info.meaning)} | ${prose(info.action)} |`);
  const noticeRows = Object.entries(notices).map(([name, meaning]) => `| ${code(name)} | ${prose(meaning)} |`);
  return [
    NOTE('`KIT_CODES` and `NOTICE_CODES` (packages/connector-kit/src/errors/codes.ts)'),
    '',
    '| code | scope | retryable | meaning | what to do |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Notices (`summary.notices`: about the run as a whole, not failures):',
    '',
    '| notice | meaning |',
    '|---|---|',
    ...noticeRows,
  ].join('\n');
}

/** The kit README's generated sections, by marker name. */
export function kitReadmeSections(kitDir: string): Record<string, string> {
  const docs = kitInterfaces(kitDir);
  return {
    'run-sync-options': renderRunSyncOptions(docs.RunSyncOptions),
    'run-summary': renderShape('SyncRunSummary', docs.SyncRunSummary),
    'record-result': renderShape('RecordResult', docs.RecordResult),
    'sync-report': renderShape('SyncReport', docs.SyncReport),
    'error-codes': renderErrorCodes(),
  };
}
