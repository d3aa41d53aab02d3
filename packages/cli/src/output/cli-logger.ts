import { redactText, type Logger } from '@syncmodes/connector-kit';
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type * as PinoPretty from 'pino-pretty';
import { escapeFields, escapeJsonControl } from './safe-text';

/** Log levels the CLI accepts (`--log-level`). Default `warn`. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How log lines are written (`--log-format`): `pretty` for people, `json` (one object per line) for machines. */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Options of {@link cliLogger}. */
export interface CliLoggerOptions {
  readonly level: LogLevel;
  /** Default: `pretty` when the stream is a terminal, else `json`. */
  readonly format?: LogFormat | undefined;
  /** Colour pretty lines (the caller decides: a terminal, and `NO_COLOR` unset). */
  readonly colour?: boolean | undefined;
}

/**
 * Where pino writes: each JSON line is made terminal-safe before it reaches the stream.
 * JSON lines keep their data (C0 controls are already `\u00XX` in JSON; DEL and C1
 * controls are escaped the same way); pretty lines show control characters in values as
 * visible escapes (`\x1b`). Synchronous, in-process: no worker thread, nothing to flush at exit.
 */
function destination(stream: NodeJS.WritableStream, format: LogFormat, colour: boolean): { write(line: string): void } {
  if (format === 'json') return { write: (line) => void stream.write(escapeJsonControl(line)) };
  // Loaded for pretty lines only (a terminal), not with the CLI.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  const prettify = prettyFactory({ colorize: colour, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return { write: (line) => void stream.write(prettify(escapeFields(JSON.parse(line)) as Record<string, unknown>)) };
}

/**
 * The CLI's logger (pino), on stderr: human-readable lines (pino-pretty, in-process) or
 * JSON lines, wrapped so every message and field is scrubbed of the run's secret values.
 * The kit and connectors log no personal data at `info` and above; `debug` may include
 * record ids.
 */
export function cliLogger(options: CliLoggerOptions, secrets: readonly string[], stream: NodeJS.WriteStream): Logger {
  const format = options.format ?? (stream.isTTY ? 'pretty' : 'json');
  const base = pino({ level: options.level, base: null }, destination(stream, format, options.colour ?? false));
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
