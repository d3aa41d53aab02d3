import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { OpenApiDocument, SpecDefect } from './exchange-validator';
import { installExchangeValidation, sharedDir } from './install';

export { takeViolations } from './install';

/**
 * Vitest setup file: every exchange with the Intercom emulator in this package's tests is
 * validated against Intercom's published OpenAPI description 2.14
 * (`../shared/specs/intercom-api-2.14.yaml`) by an independent validator; the file fails on
 * any violation that `test/spec-defects.json` does not explain.
 */
const DEFECTS = JSON.parse(readFileSync(fileURLToPath(new URL('../spec-defects.json', import.meta.url)), 'utf8')) as { defects: SpecDefect[] };

/**
 * The one repair the description needs before a JSON Schema validator can compile it
 * (listed in `test/spec-defects.json`, "repairs"): `nullable: true` on schemas without a
 * `type` (e.g. the search filter's `value`), which OpenAPI 3.0 leaves undefined and Ajv
 * refuses. Such a schema becomes "this schema, or null", which is what it says.
 */
function nullableWithoutType(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableWithoutType);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) out[k] = nullableWithoutType(v);
  if (out.nullable !== true || out.type !== undefined || out.$ref !== undefined) return out;
  const { nullable: _n, ...schema } = out;
  return { anyOf: [schema, { type: 'null' }] };
}

installExchangeValidation({
  emulator: 'intercom',
  doc: () => nullableWithoutType(parse(readFileSync(`${sharedDir()}/specs/intercom-api-2.14.yaml`, 'utf8'))) as OpenApiDocument,
  defects: DEFECTS.defects,
  errorSchema: '#/components/schemas/error',
  reportDir: fileURLToPath(new URL('../../reports/spec-validation/', import.meta.url)),
});
