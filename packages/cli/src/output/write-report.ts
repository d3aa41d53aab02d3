import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { redactText, type SyncReport } from '@syncmodes/connector-kit';

/** Writes the JSON report (pretty-printed), scrubbed of the run's secret values. */
export function writeReport(path: string, report: SyncReport, secrets: readonly string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${redactText(JSON.stringify(report, null, 2), secrets)}\n`);
}
