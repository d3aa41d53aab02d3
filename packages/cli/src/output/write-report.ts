import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { redactText, type SyncReport } from '@syncmodes/connector-kit';
import { htmlReport } from './html-report';

/** The report format a path asks for, by its extension: `.html` / `.htm` → HTML, anything else JSON. */
export function reportFormat(path: string): 'html' | 'json' {
  const ext = extname(path).toLowerCase();
  return ext === '.html' || ext === '.htm' ? 'html' : 'json';
}

/**
 * Writes the report: a self-contained HTML page for `.html` / `.htm`, else pretty-printed
 * JSON; either way scrubbed of the run's secret values.
 */
export function writeReport(path: string, report: SyncReport, secrets: readonly string[], destinationName = report.destination): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = reportFormat(path) === 'html' ? htmlReport(report, destinationName) : `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(path, redactText(text, secrets));
}
