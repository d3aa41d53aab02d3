import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse, YAMLError } from 'yaml';
import { UsageError } from '../registry/exit-codes';
import type { SyncJobInput } from './sync-job';

const PATH_KEYS = ['from', 'emulatorSeed', 'stateDir', 'report'] as const;

/**
 * Where and what a YAML error is — its kind (the yaml library's error code, e.g.
 * `BAD_INDENT`) and position — and never the file's text: the library's messages quote
 * lines (and alias or tag names) of the file, which may hold secrets.
 */
export function yamlProblem(error: unknown): string {
  if (!(error instanceof YAMLError)) return 'it cannot be parsed';
  const kind = `${error.code.toLowerCase().replace(/_/g, ' ')} (${error.code})`;
  const at = error.linePos?.[0];
  return at ? `${kind} at line ${at.line}, column ${at.col}` : kind;
}

/**
 * Reads a YAML (or JSON) sync config file. Relative paths inside it are resolved against
 * the file's folder. Validation happens once flags are merged in.
 *
 * @throws {@link UsageError} `config_file` when the file cannot be read, is not valid YAML
 *   (the message gives the error's kind, line and column, never the file's content), or is
 *   not a mapping.
 */
export function loadConfigFile(path: string): Partial<SyncJobInput> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`Cannot read config file "${path}".`, 'config_file');
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new UsageError(`Config file "${path}" is not valid YAML: ${yamlProblem(error)}. Fix it there (its content is not shown: it may hold secrets).`, 'config_file');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`Config file "${path}" must hold a mapping of settings (to, from, id, map, …).`, 'config_file');
  }
  const job = { ...(data as Record<string, unknown>) };
  const base = dirname(resolve(path));
  for (const key of PATH_KEYS) {
    const value = job[key];
    // A URL (a Postgres source) is not a path.
    if (typeof value === 'string' && !isAbsolute(value) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) job[key] = resolve(base, value);
  }
  return job as Partial<SyncJobInput>;
}
