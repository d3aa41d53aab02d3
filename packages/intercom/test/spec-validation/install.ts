import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { observeExchanges, type EmulatorExchange } from '@syncmodes/connector-kit/emulator';
import { afterAll, beforeAll } from 'vitest';
import { ExchangeValidator, isKnownDefect, type OpenApiDocument, type SpecDefect, type Violation } from './exchange-validator';

/** What one test file's emulator traffic looked like against the description. */
export interface ValidationReport {
  readonly file: string;
  readonly emulator: string;
  readonly exchanges: number;
  /** Violations not explained by a listed spec defect: the file fails when there is one. */
  readonly violations: readonly Violation[];
  /** Violations a listed spec defect explains, counted by the defect's reason. */
  readonly knownDefects: Readonly<Record<string, number>>;
  /** Violations a test provoked on purpose and took (see {@link takeViolations}). */
  readonly taken: number;
}

/**
 * The project's shared folder (`shared/`, beside the repository: vendor specs, sample
 * data), found by walking up from this file, so it is found whatever folder the
 * repository was checked out in.
 */
export function sharedDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'shared', 'specs'))) return join(dir, 'shared');
    const up = dirname(dir);
    if (up === dir) throw new Error('No shared/specs folder above the repository: the vendor OpenAPI descriptions are missing.');
    dir = up;
  }
}

let pending: Violation[] = [];
let taken = 0;

/**
 * Validators by emulator name, made once per vitest worker: the package's tests run with
 * `isolate: false`, so this module (unlike the setup file that calls
 * {@link installExchangeValidation} for each test file) stays loaded between files, and the
 * description is parsed and its schemas compiled once instead of once per file.
 */
const validators = new Map<string, ExchangeValidator>();

/**
 * Takes the violations seen so far that `match` selects (a test that sends a request the
 * description forbids on purpose takes them, and asserts on them); the rest stay and fail
 * the file.
 */
export function takeViolations(match: (v: Violation) => boolean): Violation[] {
  const mine = pending.filter(match);
  pending = pending.filter((v) => !match(v));
  taken += mine.length;
  return mine;
}

/**
 * Registers, for the test file being run, a validator of every exchange of the named
 * emulator against the vendor's OpenAPI description (see {@link ExchangeValidator}). After
 * the file, it writes `reports/spec-validation/<file>.json` and fails the file on any
 * violation that is neither a listed spec defect (`defects`) nor taken by a test.
 * Use from a vitest setup file.
 */
export function installExchangeValidation(options: {
  readonly emulator: string;
  /** Reads the vendor's description; called once per worker (see `validators`). */
  readonly doc: () => OpenApiDocument;
  readonly defects: readonly SpecDefect[];
  readonly reportDir: string;
  /** `$ref` of the shared error schema that bodies of undocumented error statuses are checked against. */
  readonly errorSchema?: string | undefined;
}): void {
  const validator = validators.get(options.emulator) ?? new ExchangeValidator(options.doc(), options.errorSchema);
  validators.set(options.emulator, validator);
  const known: Record<string, number> = {};
  let exchanges = 0;
  let file = 'unknown';
  let stop: () => void = () => undefined;
  // eslint-disable-next-line no-empty-pattern -- vitest hands the suite as the second argument; the first must be a destructuring pattern
  beforeAll(({}, suite) => {
    file = (suite as { filepath?: string } | undefined)?.filepath ?? suite?.name ?? file;
    // This file's own count: the module's state outlives a file when files share a worker.
    pending = [];
    taken = 0;
    stop = observeExchanges((exchange: EmulatorExchange) => {
      if (exchange.emulator !== options.emulator) return;
      exchanges += 1;
      for (const violation of validator.check(exchange)) {
        const defect = isKnownDefect(violation, options.defects);
        if (defect) known[defect.reason] = (known[defect.reason] ?? 0) + 1;
        else pending.push(violation);
      }
    });
  });
  afterAll(() => {
    stop();
    const report: ValidationReport = { file: basename(file), emulator: options.emulator, exchanges, violations: pending, knownDefects: known, taken };
    mkdirSync(options.reportDir, { recursive: true });
    writeFileSync(join(options.reportDir, `${basename(file)}.json`), `${JSON.stringify(report, null, 2)}\n`);
    if (pending.length > 0) {
      const list = pending.slice(0, 10).map((v) => `  ${v.exchange} [${v.operation}, ${v.part}]: ${v.message.slice(0, 400)}`).join('\n');
      throw new Error(`${pending.length} ${options.emulator} exchange(s) break the vendor's OpenAPI description (and no listed spec defect explains them):\n${list}`);
    }
  });
}
