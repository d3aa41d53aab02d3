import type { z } from 'zod';
import { configFields, redactText, secretValues, type ConfigField } from './secret';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A secret field as messages name it: its environment variable, when declared. */
const secretName = (field: ConfigField) => (field.meta.env ? `the secret from the ${field.meta.env} environment variable` : 'a secret');

/** One zod issue as a line naming the field: a secret by its environment variable, never by its value. */
function describeIssue(issue: z.core.$ZodIssue, fields: ReadonlyMap<string, ConfigField>, raw: unknown): string {
  const key = issue.path.length > 0 ? String(issue.path[0]) : undefined;
  const field = key === undefined ? undefined : fields.get(key);
  const path = issue.path.join('.') || '(config)';
  const value = isObject(raw) && key !== undefined ? raw[key] : undefined;
  // A required option left out: zod says "expected string, received undefined" (plugin trial 152).
  if (field && !field.meta.secret && issue.path.length === 1 && issue.code === 'invalid_type' && value === undefined) {
    return `${key}: missing — a required option${field.meta.description ? ` (${field.meta.description.replace(/\.$/, '')})` : ''}; give it a value`;
  }
  if (!field?.meta.secret || key === undefined) return `${path}: ${issue.message}`;
  if (value === undefined || value === null || value === '') return `${key}: missing — ${secretName(field)} (pass its value as config.${key})`;
  return `${key} (${secretName(field)}): ${issue.message} (the value is not shown)`;
}

/**
 * The problems of a config that failed its schema, one per zod issue, each naming its
 * field. A secret field is named with its environment variable (`secret(schema, 'ENV')`)
 * and its value is never shown: secret values present in `raw` are redacted from the
 * whole text, whatever a custom zod message says.
 */
export function configProblems(schema: z.ZodType, error: z.ZodError, raw: unknown): string {
  const fields = new Map(configFields(schema).map((f) => [f.key, f]));
  const text = error.issues.map((i) => describeIssue(i, fields, raw)).join('; ');
  return redactText(text, isObject(raw) ? secretValues(schema, raw) : []);
}
