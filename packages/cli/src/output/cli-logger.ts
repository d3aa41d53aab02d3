import { redactText, type Logger } from '@syncmodes/connector-kit';
import { pino } from 'pino';

/** Log levels the CLI accepts (`--log-level`). Default `warn`. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A pino logger writing JSON lines to stderr, wrapped so every message and field is
 * scrubbed of the run's secret values. The kit and connectors log no personal data at
 * `info` and above; `debug` may include record ids.
 */
export function cliLogger(level: LogLevel, secrets: readonly string[], stream: NodeJS.WritableStream): Logger {
  const base = pino({ level, base: null }, stream);
  const scrub = (message: string, fields?: Record<string, unknown>): [Record<string, unknown>, string] => {
    const safeFields = fields ? (JSON.parse(redactText(JSON.stringify(fields), secrets)) as Record<string, unknown>) : {};
    return [safeFields, redactText(message, secrets)];
  };
  return {
    debug: (m, f) => base.debug(...scrub(m, f)),
    info: (m, f) => base.info(...scrub(m, f)),
    warn: (m, f) => base.warn(...scrub(m, f)),
    error: (m, f) => base.error(...scrub(m, f)),
  };
}
