import { setTimeout as delay } from 'node:timers/promises';
import { DeferredError, RetryableError, SyncError, isRunStopping, toSyncError } from '@syncmodes/connector-kit';
import pRetry from 'p-retry';
import { jobInfoOf } from './answer-shapes';
import { saveErrorToSyncError } from './errors';
import type { SalesforceApi } from './salesforce-api';
import type { AnswerInfo } from './salesforce-connection';

/**
 * Salesforce Bulk API 2.0, one HTTP call at a time through jsforce's `Connection#request`
 * (on our `SalesforceConnection`: no jsforce retries, the configured timeout), not
 * `conn.bulk2`: jsforce 3.10.16's `bulk2` cannot give three guarantees this file keeps.
 * It builds its HTTP client with fixed options (lib/api/bulk2.js,
 * `new BulkApiV2(this.connection, { responseType })`), so (1) its GET / PUT / DELETE calls
 * are retried up to 5 times on 429, 5xx and network errors behind the kit's back and (2)
 * they have no timeout but jsforce's 30-minute default; and (3) `loadAndWaitForResults`
 * deletes a job whose close or poll failed, so a job whose outcome is unknown could never
 * be followed to its results — the very case that must never become a second insert job.
 * Each reason is kept in a test (test/bulk-sdk-limits.test.ts).
 *
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/
 */

/**
 * Ingest operations the connector uses. `upsert` is keyed by an external-id field (the job's
 * `externalIdFieldName`, here always the job's key column): Salesforce updates the record
 * holding the value, or creates one, and says which in `sf__Created`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/create_job.htm
 */
export type BulkOperation = 'insert' | 'update' | 'upsert' | 'delete';

/** Operations that may create records: an outcome lost after the job closed is never sent again blind. */
const CREATES = new Set<BulkOperation>(['insert', 'upsert']);

/** Job info as `GET /jobs/ingest/{id}` answers it (subset). */
export interface IngestJobInfo {
  readonly id: string;
  readonly state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  readonly numberRecordsProcessed?: number;
  readonly numberRecordsFailed?: number;
  readonly errorMessage?: string;
}

/** How jobs are polled. Units: ms. */
export interface BulkPolling {
  /** First wait after closing a job, per 10,000 records of it; doubled each poll up to 10 × this. */
  readonly intervalMs: number;
  /** Longest a job may run before the connector gives up on it (it is then aborted). */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Rows of an ingest job's CSV turned into text (and bytes) at a time. */
const CSV_CHUNK_ROWS = 1_000;

/**
 * The CSV of one ingest job, written as its records come: the header (the key column
 * first, then every other column any row sets, decided before the first row), then rows,
 * turned into bytes {@link CSV_CHUNK_ROWS} at a time — so a job of 100,000 records never
 * holds all its rows as objects, nor its text as one string. Keeps each row's key value
 * (as given: results are matched back by it, normalised, and an update's or delete's
 * result id is it).
 */
export class BulkCsv {
  private readonly chunks: Buffer[] = [];
  private pending = '';
  private pendingRows = 0;
  /** Each row's value of the key column, in row order. */
  readonly keys: string[] = [];

  constructor(
    readonly keyColumn: string,
    readonly columns: readonly string[],
  ) {
    this.chunks.push(Buffer.from(`${columns.map(csvField).join(',')}\n`));
  }

  /** Adds one record: its field values (API names; `null` clears, a field absent from `fields` is left as it is). */
  add(fields: Readonly<Record<string, unknown>>): void {
    let line = '';
    for (let i = 0; i < this.columns.length; i++) {
      const name = this.columns[i] as string;
      line += `${i === 0 ? '' : ','}${csvField(cell(fields[name], Object.hasOwn(fields, name)))}`;
    }
    this.pending += `${line}\n`;
    this.keys.push(String(fields[this.keyColumn] ?? ''));
    if (++this.pendingRows >= CSV_CHUNK_ROWS) this.flush();
  }

  /** Rows added. */
  get rows(): number {
    return this.keys.length;
  }

  /** The whole CSV, as bytes (once: the chunks are let go, so the job's wait does not hold its CSV). */
  body(): Buffer {
    this.flush();
    const body = Buffer.concat(this.chunks);
    this.chunks.length = 0;
    return body;
  }

  private flush(): void {
    if (this.pendingRows === 0) return;
    this.chunks.push(Buffer.from(this.pending));
    this.pending = '';
    this.pendingRows = 0;
  }
}

/**
 * A CSV field as csv-stringify writes it with a comma, `"` and `\n` between records: quoted
 * (its quotes doubled) when it holds a comma, a quote or a line feed; as it is otherwise.
 */
function csvField(text: string): string {
  return text.includes(',') || text.includes('"') || text.includes('\n') ? `"${text.replace(/"/g, '""')}"` : text;
}

/** What happened to one record of a job. */
export type BulkRowResult = { readonly ok: true; readonly id: string; readonly created: boolean } | { readonly ok: false; readonly error: SyncError };

const FINAL = new Set(['JobComplete', 'Failed', 'Aborted']);
const normalise = (value: unknown) => String(value ?? '').trim().toLowerCase();

/** A CSV cell for a value: `#N/A` sets null (an empty cell leaves a field unchanged). */
function cell(value: unknown, present: boolean): string {
  if (!present) return '';
  if (value === null || value === '') return '#N/A';
  return typeof value === 'string' ? value : String(value);
}

/**
 * Fetches a CSV result and hands `onRow`, for each row, only the named columns (in that
 * order; missing ones read as `''`), as the text is read (see {@link pickColumns}): nothing
 * of a row is kept but what `onRow` keeps. Memory: the text.
 */
export async function eachCsvRow(
  api: SalesforceApi,
  url: string,
  columns: readonly string[],
  onRow: (row: string[]) => void,
  onAnswer?: (answer: AnswerInfo) => void,
): Promise<void> {
  const text = await api.request<string | undefined>({ method: 'GET', url, headers: { accept: 'text/csv' } }, { onAnswer });
  if (text) pickColumns(text, columns, onRow);
}

/**
 * Reads CSV text (RFC 4180: fields quoted or not, `""` inside quotes, line breaks inside
 * quotes; records end at LF or CRLF; a leading byte-order mark skipped) and hands `onRow`,
 * for each record after the header, the values of `columns` (missing ones `''`). Only those
 * values are made into strings: a results file's other columns (Salesforce returns every
 * column sent) cost nothing.
 */
export function pickColumns(text: string, columns: readonly string[], onRow: (row: string[]) => void): void {
  const end = text.length;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  /** After {@link field}: whether the record goes on (a comma followed the field). */
  let more = false;
  /** Reads the field at `pos` (a string only when `keep`) and moves past it and its separator, setting {@link more}. */
  const field = (keep: boolean): string | undefined => {
    let value: string | undefined;
    if (text.charCodeAt(pos) === 34 /* " */) {
      let close = pos + 1;
      let doubled = false;
      for (;;) {
        close = text.indexOf('"', close);
        if (close < 0) throw notCsv('a quote is not closed');
        if (text.charCodeAt(close + 1) !== 34) break;
        doubled = true;
        close += 2;
      }
      if (keep) value = doubled ? text.slice(pos + 1, close).replace(/""/g, '"') : text.slice(pos + 1, close);
      pos = close + 1;
    } else {
      let stop = pos;
      for (; stop < end; stop++) {
        const c = text.charCodeAt(stop);
        if (c === 44 /* , */ || c === 10 /* LF */ || (c === 13 /* CR */ && text.charCodeAt(stop + 1) === 10)) break;
      }
      if (keep) value = text.slice(pos, stop);
      pos = stop;
    }
    const c = text.charCodeAt(pos);
    more = c === 44;
    if (more || pos >= end || c === 10) pos++;
    else if (c === 13 && text.charCodeAt(pos + 1) === 10) pos += 2;
    else throw notCsv('a quoted value is followed by more text');
    return value;
  };
  // The header: which record position feeds which wanted column (a column named twice is filled from its first position).
  const header: string[] = [];
  if (pos < end) do header.push(field(true) as string);
  while (more);
  const slots = new Map<number, number[]>();
  columns.forEach((name, i) => {
    const at = header.indexOf(name);
    if (at >= 0) slots.set(at, [...(slots.get(at) ?? []), i]);
  });
  while (pos < end) {
    const row = columns.map(() => '');
    let at = 0;
    do {
      const targets = slots.get(at++);
      const value = field(targets !== undefined);
      if (targets) for (const i of targets) row[i] = value as string;
    } while (more);
    onRow(row);
  }
}

/** Malformed results: thrown as a parser's error is (the kit's `toSyncError` classifies it, as it did csv-parse's). */
function notCsv(why: string): Error {
  return new Error(`A Bulk API result is not valid CSV (${why}).`);
}

/**
 * Fetches a CSV result and keeps, of each row, only the named columns (in that order);
 * `keep` may drop a row. Missing columns read as `''`. Memory: the text and the kept rows.
 */
export async function fetchCsvOnce(
  api: SalesforceApi,
  url: string,
  columns: readonly string[],
  keep: (row: string[]) => boolean = () => true,
  onAnswer?: (answer: AnswerInfo) => void,
): Promise<string[][]> {
  const rows: string[][] = [];
  await eachCsvRow(api, url, columns, (row) => keep(row) && rows.push(row), onAnswer);
  return rows;
}

/** Parses `sf__Error` (`CODE:message:fields --`) into a SyncError. */
export function bulkErrorToSyncError(text: string): SyncError {
  const trimmed = text.replace(/\s*--\s*$/, '');
  const first = trimmed.indexOf(':');
  const last = trimmed.lastIndexOf(':');
  const statusCode = first > 0 ? trimmed.slice(0, first) : 'UNKNOWN_EXCEPTION';
  const message = first > 0 ? trimmed.slice(first + 1, last > first ? last : undefined) : trimmed;
  const fields = last > first ? trimmed.slice(last + 1).split(',').filter(Boolean) : [];
  return saveErrorToSyncError({ statusCode, message, fields });
}

/**
 * Runs one Bulk API 2.0 ingest job for the rows of `csv` and maps every result back to its
 * row by its key (`csv.keyColumn`):
 * create job (an `upsert` job keyed by the key column, its `externalIdFieldName`) → upload CSV
 * → close → poll → `successfulResults` (inserts and upserts, or when some record failed) /
 * `failedResults` (when some failed) / `unprocessedrecords` (when the job
 * did not complete). Returns one result per row, in input order; unprocessed records fail
 * with `bulk_unprocessed` (retryable: the kit resends them); a record with no result at
 * all fails with `bulk_result_missing` (resent for updates and deletes; an insert or upsert is left
 * to the next run, which looks it up first).
 *
 * A job is the unit of idempotency: when a call fails after the job was created and the
 * outcome is unknown (a lost response, a timeout), the job is looked at once more: a
 * job still `Open` is aborted, so nothing of it is ever written, and the error is thrown
 * (the kit retries; for inserts it first checks which records exist); a job that was
 * closed is followed to its end and its results are used — never sent twice.
 *
 * @throws {@link SyncError} when the job could not be created or settled.
 */
export async function runIngestJob(api: SalesforceApi, object: string, operation: BulkOperation, csv: BulkCsv, polling: BulkPolling): Promise<BulkRowResult[]> {
  const keyColumn = csv.keyColumn;
  const base = `${api.basePath}/jobs/ingest`;
  const job = jobInfoOf<IngestJobInfo>(await api.request({
    method: 'POST',
    url: base,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ object, operation, ...(operation === 'upsert' ? { externalIdFieldName: keyColumn } : {}), contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA' }),
  }));
  let info: IngestJobInfo = job;
  const progress: JobProgress = { closeSent: false, closed: false, aborted: false };
  try {
    try {
      await api.request({ method: 'PUT', url: `${base}/${job.id}/batches`, headers: { 'content-type': 'text/csv' }, body: csv.body() });
      progress.closeSent = true;
      info = jobInfoOf<IngestJobInfo>(
        await api.request({
          method: 'PATCH',
          url: `${base}/${job.id}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ state: 'UploadComplete' }),
        }),
      );
      progress.closed = true;
      info = await waitForJob(api, base, job.id, info, polling, firstPollWait(polling, csv.rows));
    } catch (thrown) {
      const error = toSyncError(thrown);
      if (isRunStopping(error) || (!error.retryable && progress.closed)) throw error;
      info = await settle(api, base, job.id, polling, error, progress);
    }
    return await jobResults(api, base, info, operation, csv, polling);
  } catch (thrown) {
    const error = toSyncError(thrown);
    // Closed, or asked to close and not known to be aborted: some records may be written (or
    // still being written).
    const mayBeWritten = progress.closed || (progress.closeSent && !progress.aborted);
    if (!mayBeWritten || isRunStopping(error)) throw error;
    // Never a "nothing happened" error such as a rate limit, which the kit would answer by
    // sending the same records again. Inserts wait for the next run, which looks them up
    // first; updates and deletes can safely be sent again.
    const message = `Bulk API job ${job.id} may have written records but its outcome could not be read (${error.message})`;
    if (CREATES.has(operation)) {
      const deferred = new DeferredError('bulk_outcome_unknown', `${message}; the next run looks the record up before creating it.`);
      return csv.keys.map(() => ({ ok: false, error: deferred }));
    }
    throw new RetryableError('bulk_outcome_unknown', `${message}; the records are sent again.`, { vendorCode: error.code });
  }
}

/** How far an ingest job got, as far as the connector knows. */
interface JobProgress {
  /** The request to close it (`UploadComplete`) was sent. */
  closeSent: boolean;
  /** Salesforce confirmed it closed (or it was seen past `Open`). */
  closed: boolean;
  /** It was seen `Aborted`, or aborted by the connector while `Open`: nothing of it is written. */
  aborted: boolean;
}

/**
 * One call of a job that already exists, retried on the spot (up to 5 times, with backoff
 * from the poll interval; Salesforce's REQUEST_LIMIT_EXCEEDED carries no Retry-After):
 * giving up half-way through a job would leave its outcome unknown.
 */
function inJob<T>(polling: BulkPolling, call: () => Promise<T>): Promise<T> {
  return pRetry(call, {
    retries: 5,
    minTimeout: polling.intervalMs,
    maxTimeout: polling.intervalMs * 10,
    randomize: true,
    signal: polling.signal,
    shouldRetry: ({ error }) => {
      const e = toSyncError(error);
      return e.retryable && !isRunStopping(e);
    },
  });
}

/** Records Salesforce processes as one internal batch of an ingest job. */
const RECORDS_PER_BATCH = 10_000;

/**
 * The wait before the first poll of a job of `records`, ms: the poll interval per internal
 * batch of 10,000 records (a job takes time in proportion to its batches; a poll before
 * then is a call spent on "InProgress").
 */
function firstPollWait(polling: BulkPolling, records: number): number {
  return polling.intervalMs * Math.max(1, Math.ceil(records / RECORDS_PER_BATCH));
}

async function waitForJob(
  api: SalesforceApi,
  base: string,
  id: string,
  info: IngestJobInfo,
  polling: BulkPolling,
  firstWaitMs = polling.intervalMs,
): Promise<IngestJobInfo> {
  const started = Date.now();
  let wait = firstWaitMs;
  const longest = Math.max(firstWaitMs, polling.intervalMs * 10);
  let current = info;
  while (!FINAL.has(current.state)) {
    if (Date.now() - started > polling.timeoutMs) {
      await abort(api, base, id);
      throw new RetryableError('bulk_timeout', `Bulk API job ${id} did not finish within ${polling.timeoutMs} ms; it was aborted.`);
    }
    await delay(wait, undefined, { signal: polling.signal });
    wait = Math.min(wait * 2, longest);
    current = await inJob(polling, async () => jobInfoOf<IngestJobInfo>(await api.request({ method: 'GET', url: `${base}/${id}` })));
  }
  return current;
}

async function abort(api: SalesforceApi, base: string, id: string): Promise<void> {
  await api.request({ method: 'PATCH', url: `${base}/${id}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state: 'Aborted' }) });
}

/**
 * After a failure with an unknown outcome: reads the job's state. Open → aborted (nothing
 * of it is written) and `cause` is thrown for the kit to retry; closed → followed to its
 * end. `progress` records which it was.
 */
async function settle(api: SalesforceApi, base: string, id: string, polling: BulkPolling, cause: SyncError, progress: JobProgress): Promise<IngestJobInfo> {
  let info: IngestJobInfo;
  try {
    info = await inJob(polling, async () => jobInfoOf<IngestJobInfo>(await api.request({ method: 'GET', url: `${base}/${id}` })));
    if (info.state === 'Open') await inJob(polling, () => abort(api, base, id));
  } catch {
    // The job's state is unknown: the caller decides from how far it got.
    throw cause;
  }
  if (info.state === 'Open' || info.state === 'Aborted') {
    progress.aborted = true;
    throw cause;
  }
  progress.closed = true;
  return waitForJob(api, base, id, info, polling);
}

async function jobResults(api: SalesforceApi, base: string, info: IngestJobInfo, operation: BulkOperation, csv: BulkCsv, polling: BulkPolling): Promise<BulkRowResult[]> {
  const keyColumn = csv.keyColumn;
  const each: typeof eachCsvRow = (...args) => inJob(polling, () => eachCsvRow(...args));
  const failedCount = info.numberRecordsFailed ?? 0;
  const complete = info.state === 'JobComplete';
  const allSucceeded = complete && failedCount === 0 && (info.numberRecordsProcessed ?? 0) === csv.rows;
  // Updates and deletes need no ids back: when every record succeeded, the job info says so.
  if (!CREATES.has(operation) && allSucceeded) return csv.keys.map((key) => ({ ok: true, id: key, created: false }));
  // Results are read into a map by key as they are parsed (nothing else of a row is kept).
  const byKey = new Map<string, BulkRowResult>();
  // Inserts and upserts need ids (`sf__Id`; an upsert's `sf__Created` says whether it created the record).
  await each(api, `${base}/${info.id}/successfulResults`, [keyColumn, 'sf__Id', 'sf__Created'], ([key, id, created]) => {
    byKey.set(normalise(key), { ok: true, id: id as string, created: created === 'true' });
  });
  if (failedCount > 0) {
    await each(api, `${base}/${info.id}/failedResults`, [keyColumn, 'sf__Error'], ([key, error]) => {
      byKey.set(normalise(key), { ok: false, error: bulkErrorToSyncError(error as string) });
    });
  }
  if (!complete) {
    const why = info.errorMessage ? `: ${info.errorMessage}` : '';
    const unprocessed = new RetryableError('bulk_unprocessed', `Not processed: Bulk API job ${info.id} ended ${info.state}${why}. It is sent again.`);
    await each(api, `${base}/${info.id}/unprocessedrecords`, [keyColumn], ([key]) => {
      byKey.set(normalise(key), { ok: false, error: unprocessed });
    });
  }
  // A record with no result may or may not have been written: an insert is not resent blindly (the next run looks it up first).
  const missing =
    CREATES.has(operation)
      ? new DeferredError('bulk_result_missing', `Bulk API job ${info.id} (${info.state}) returned no result for this record; the next run looks it up before creating it.`)
      : new RetryableError('bulk_result_missing', `Bulk API job ${info.id} (${info.state}) returned no result for this record. It is sent again.`);
  return csv.keys.map((key) => byKey.get(normalise(key)) ?? { ok: false, error: missing });
}

/** Rows per page of query results (`maxRecords`): bounds the text held at once. */
const QUERY_PAGE_RECORDS = 250_000;

/**
 * Runs a Bulk API 2.0 query job and returns, of the rows `keep` accepts, the named
 * columns, following `Sforce-Locator` pages: create → poll → results (one call per page of
 * {@link QUERY_PAGE_RECORDS} rows). Polls and pages are retried within the job.
 *
 * @throws {@link SyncError} when the job fails or does not finish in time.
 */
export async function bulkQuery(
  api: SalesforceApi,
  soql: string,
  columns: readonly string[],
  keep: (row: string[]) => boolean,
  polling: BulkPolling,
): Promise<string[][]> {
  const base = `${api.basePath}/jobs/query`;
  let info = jobInfoOf<IngestJobInfo>(
    await api.request({
      method: 'POST',
      url: base,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operation: 'query', query: soql }),
    }),
  );
  const started = Date.now();
  let wait = Math.max(1, Math.round(polling.intervalMs / 4));
  while (!FINAL.has(info.state)) {
    if (Date.now() - started > polling.timeoutMs) throw new RetryableError('bulk_timeout', `Bulk API query job ${info.id} did not finish within ${polling.timeoutMs} ms.`);
    await delay(wait, undefined, { signal: polling.signal });
    wait = Math.min(wait * 2, polling.intervalMs * 10);
    const id = info.id;
    info = await inJob(polling, async () => jobInfoOf<IngestJobInfo>(await api.request({ method: 'GET', url: `${base}/${id}` })));
  }
  if (info.state !== 'JobComplete') throw new SyncError('bulk_query_failed', `Bulk API query job ${info.id} ended ${info.state}${info.errorMessage ? `: ${info.errorMessage}` : ''}.`, { retryable: true });
  const rows: string[][] = [];
  let locator: string | undefined;
  do {
    let next: string | undefined;
    const params = new URLSearchParams({ maxRecords: String(QUERY_PAGE_RECORDS), ...(locator ? { locator } : {}) });
    const url = `${base}/${info.id}/results?${params}`;
    const page = await inJob(polling, () => fetchCsvOnce(api, url, columns, keep, (answer) => (next = answer.headers['sforce-locator'])));
    for (const row of page) rows.push(row);
    locator = next && next !== 'null' ? next : undefined;
  } while (locator);
  return rows;
}
