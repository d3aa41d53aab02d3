import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import { UsageError } from '../registry/exit-codes';
import type { SyncJobInput } from './sync-job';

const PATH_KEYS = ['from', 'emulatorSeed', 'stateDir', 'report'] as const;

/**
 * Where and what a YAML error is — its kind (the yaml library's error code, e.g.
 * `BAD_INDENT`) and position — and never the file's text: the library's messages quote
 * lines (and alias or tag names) of the file, which may hold secrets.
 */
/** The yaml library, loaded when a config file is read, not with the CLI (most runs have none). */
function yaml(): typeof Yaml {
  return createRequire(import.meta.url)('yaml') as typeof Yaml;
}

export function yamlProblem(error: unknown): string {
  if (!(error instanceof yaml().YAMLError)) return 'it cannot be parsed';
  const kind = `${error.code.toLowerCase().replace(/_/g, ' ')} (${error.code})`;
  const at = error.linePos?.[0];
  return at ? `${kind} at line ${at.line}, column ${at.col}` : kind;
}

/**
 * Reads a YAML (or JSON) sync config file. Relative paths inside it are resolved against
 * the file's folder. Validation happens once flags are merged in.
 *
 * @throws {@link UsageError} `config_file` when the file cannot be read, is larger than
 *   {@link MAX_CONFIG_BYTES} (a device such as `/dev/zero` too), is not valid YAML
 *   (the message gives the error's kind, line and column, never the file's content), or is
 *   not a mapping.
 */
/** The most a config file may hold, bytes (1 MiB): settings take a few hundred. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The file's text, read at most {@link MAX_CONFIG_BYTES} (a pipe too); `undefined` past
 * that: `--config /dev/zero` was read until memory ran out (trial 20b N11).
 */
function readCapped(path: string): string | undefined {
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).isDirectory()) throw new Error('a folder');
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let size = 0;
    for (let n = 1; n > 0 && size <= MAX_CONFIG_BYTES; size += n) n = readSync(fd, buffer, size, buffer.length - size, null);
    return size > MAX_CONFIG_BYTES ? undefined : buffer.toString('utf8', 0, size);
  } finally {
    closeSync(fd);
  }
}

export function loadConfigFile(path: string): Partial<SyncJobInput> {
  let text: string | undefined;
  try {
    text = readCapped(path);
  } catch {
    throw new UsageError(`Cannot read config file "${path}".`, 'config_file');
  }
  if (text === undefined) throw new UsageError(`Config file "${path}" is larger than ${MAX_CONFIG_BYTES.toLocaleString('en-US')} bytes: not a sync config (settings take a few hundred).`, 'config_file');
  let data: unknown;
  try {
    data = yaml().parse(text);
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
