import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GeneratedFile } from './render';
import { UsageError } from './usage-error';

/**
 * Writes the files into `dir`, which must not exist or be empty (nothing is overwritten).
 *
 * @throws UsageError (`usage_error`) when `dir` holds anything.
 */
export function writeDestination(dir: string, files: readonly GeneratedFile[]): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${dir} already exists and is not empty: choose another folder (--dir).`);
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}
