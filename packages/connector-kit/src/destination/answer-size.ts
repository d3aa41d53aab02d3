import { byteLimitSetting } from '../config/byte-limit-setting';
import { SyncError } from '../errors/sync-error';

/** Default of {@link maxAnswerBytes}: 256 MiB. */
export const DEFAULT_MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/**
 * The largest answer a connector reads from its vendor, bytes, counted after decompression:
 * `SYNCMODES_MAX_ANSWER_BYTES` when set, else {@link DEFAULT_MAX_ANSWER_BYTES}. Far above any answer the vendors document (a Bulk API
 * results page, a search page), it stops a server sending without end, or a small gzip
 * answer inflating to gigabytes, from exhausting memory: Node aborted with no summary and no
 * report (second trial of stop 32).
 *
 * @throws ConfigError (`invalid_config`) when the variable is set to anything but a whole
 *   number above 0 (`runSync` checks it before the run starts).
 */
export function maxAnswerBytes(): number {
  return byteLimitSetting('SYNCMODES_MAX_ANSWER_BYTES', DEFAULT_MAX_ANSWER_BYTES);
}

/**
 * The error for an answer past {@link maxAnswerBytes}: `unexpected_response`, retryable (the
 * call is retried, then the run stops as the destination's answers could not be read).
 */
export function answerTooLarge(vendor: string, limit: number): SyncError {
  return new SyncError('unexpected_response', `${vendor} sent an answer larger than ${limit.toLocaleString('en-US')} bytes (decompressed), so reading it was stopped (set SYNCMODES_MAX_ANSWER_BYTES to allow more).`, { retryable: true });
}
