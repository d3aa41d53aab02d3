import type { RecordResult, SyncReport } from '@syncmodes/connector-kit';

/** One translation: how the kit's messages name a library option, and the flag that does the same here. */
export interface FlagHint {
  /** The library wording, as the kit writes it (global). */
  readonly library: RegExp;
  /** The command-line wording (`$1`… refer to the library wording's groups). */
  readonly flag: string | ((match: string, ...groups: (string | undefined)[]) => string);
}

const pass = (match: string, what: string) => (match.startsWith('G') ? `Pass ${what}` : `pass ${what}`);

/**
 * By code: the library options the kit's messages (and its codes' "what to do") name,
 * and the flags a CLI user types instead. The kit speaks `runSync`'s language
 * (`guard.maxDeletes: 1500`); the CLI prints `--allow-deletes 1500`. A test checks every
 * library wording still occurs in the kit's messages for its code.
 */
export const FLAG_HINTS: Readonly<Record<string, readonly FlagHint[]>> = {
  deletion_guard: [{ library: /guard\.maxDeletes(?:: (\d+))?/g, flag: (_m, n) => `--allow-deletes ${n ?? '<n>'}` }],
  empty_source: [{ library: /guard\.allowEmptySource(?:: true)?/g, flag: '--allow-empty-source' }],
  not_owned: [{ library: /deletePolicy: 'matched'/g, flag: '--delete-policy matched' }],
  match_key_not_mapped: [{ library: /\(an entry of the mapping's fields, or a property of each record\)/g, flag: '(--map <field>=<column>)' }],
  ambiguous_group: [
    { library: /the groupIds option(?: \(\{ "<name>": "<id>" \}\))?/g, flag: '--group-id "<name>=<id>"' },
    { library: /by giving its id as the audience option \(config\.audience\)/g, flag: 'with --option audience=<id>' },
  ],
  audience_not_found: [{ library: /the audience option \(config\.audience\)/g, flag: '--option audience' }],
  unknown_object: [{ library: /the object option \(config\.object\)/g, flag: '--option object=…' }],
  unsupported_mode: [{ library: /the mode option/g, flag: '--mode' }],
  sync_overlap: [{ library: /\(waitForOtherRunMs\)/g, flag: '(--wait 10m)' }],
  unknown_format: [{ library: /[Gg]ive openSource its format argument/g, flag: (m) => pass(m, '--format') }],
  format_required: [{ library: /[Gg]ive openSource its format argument/g, flag: (m) => pass(m, '--format') }],
  state_unreadable: [
    { library: /give the SqliteStateStore a file path/g, flag: 'give another --state-dir' },
    { library: /Give the SqliteStateStore another path/g, flag: 'Point --state-dir elsewhere' },
    { library: /move the file aside and open a new one/g, flag: 'run with --reset-state (it moves the file aside)' },
  ],
  invalid_config: [{ library: /\(pass its value as config\.[\w$]+\)/g, flag: '(set that environment variable)' }],
  malformed_row: [{ library: /multilineValues: 'trust'/g, flag: '--multiline-values trust' }],
  unknown_column: [{ library: /with delimiter: '([^']+)'/g, flag: (_m, d) => `with --delimiter ${d === '\\t' ? 'tab' : `'${d}'`}` }],
  rate_limited: [{ library: /maxRateLimitWaitMs/g, flag: '--max-rate-limit-wait' }],
};

/** `text` (a message or a code's "what to do") with the library options named for `code` replaced by their flags. */
export function withFlags(code: string | undefined, text: string): string {
  let out = text;
  for (const hint of (code && Object.hasOwn(FLAG_HINTS, code) ? FLAG_HINTS[code] : undefined) ?? []) {
    out = typeof hint.flag === 'string' ? out.replace(hint.library, hint.flag) : out.replace(hint.library, hint.flag as (m: string, ...g: string[]) => string);
  }
  return out;
}

/** A result whose message names flags instead of library options. */
export function resultWithFlags(r: RecordResult): RecordResult {
  if (r.message === undefined || !r.code || !Object.hasOwn(FLAG_HINTS, r.code)) return r;
  const message = withFlags(r.code, r.message);
  return message === r.message ? r : { ...r, message };
}

const byCodeWithFlags = (byCode: Record<string, readonly RecordResult[]>): Record<string, readonly RecordResult[]> =>
  Object.fromEntries(Object.entries(byCode).map(([code, list]) => [code, list.map(resultWithFlags)]));

/** A report whose reason and per-record messages (records, examples, plan) name flags instead of library options (what the CLI prints and writes). */
export function reportWithFlags(report: SyncReport): SyncReport {
  const reason = report.reason ? { ...report.reason, message: withFlags(report.reason.code, report.reason.message) } : undefined;
  const examples = { failed: byCodeWithFlags(report.examples.failed), skipped: byCodeWithFlags(report.examples.skipped) };
  return {
    ...report,
    ...(reason ? { reason } : {}),
    examples,
    ...(report.records ? { records: report.records.map(resultWithFlags) } : {}),
    ...(report.plan ? { plan: byCodeWithFlags(report.plan as Record<string, readonly RecordResult[]>) } : {}),
  };
}
