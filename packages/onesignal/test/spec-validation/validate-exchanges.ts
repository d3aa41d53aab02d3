import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenApiDocument, SpecDefect } from '../../../intercom/test/spec-validation/exchange-validator';
import { installExchangeValidation, sharedDir } from '../../../intercom/test/spec-validation/install';

/**
 * Vitest setup file: every exchange with the OneSignal emulator in this package's tests is
 * validated against OneSignal's published OpenAPI description (`../shared/specs/onesignal-api.json`)
 * by an independent validator; the file fails on any violation that `test/spec-defects.json`
 * does not explain.
 */
const SPEC = `${sharedDir()}/specs/onesignal-api.json`;
const DEFECTS = fileURLToPath(new URL('../spec-defects.json', import.meta.url));

installExchangeValidation({
  emulator: 'onesignal',
  doc: () => JSON.parse(readFileSync(SPEC, 'utf8')) as OpenApiDocument,
  defects: (JSON.parse(readFileSync(DEFECTS, 'utf8')) as { defects: SpecDefect[] }).defects,
  errorSchema: '#/components/schemas/GenericError',
  reportDir: fileURLToPath(new URL('../../reports/spec-validation/', import.meta.url)),
});

export { takeViolations } from '../../../intercom/test/spec-validation/install';
