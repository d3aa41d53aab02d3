import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { Org, SaveResult, SfRecord } from './org';
import { SfRequestError } from './org';
import type { FieldSchema } from './org-schema';
import { parseSoql, SoqlSyntaxError } from './soql';

/** Most bytes one upload may carry (Bulk API 2.0: 150 MB of raw data per job). */
export const BULK_UPLOAD_LIMIT_BYTES = 150 * 1024 * 1024;

/** Ingest operations of Bulk API 2.0 the emulator runs. */
export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete';

/** Job states of Bulk API 2.0. */
export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

/** How the emulator processes jobs (settable at run time through `POST /__emulator/bulk`). */
export interface BulkSettings {
  /** Records processed per event-loop turn, so polls see `InProgress` on large jobs. Default 10,000 (Salesforce's internal batch). */
  readonly recordsPerTurn: number;
  /**
   * Fail every job after this many records were processed: the job ends `Failed` and the
   * rest are reported by `unprocessedrecords` (as when Salesforce gives up on a job). Default: never.
   */
  readonly failAfterRecords?: number | undefined;
}

interface IngestJob {
  readonly id: string;
  readonly object: string;
  readonly operation: IngestOperation;
  readonly externalIdFieldName?: string | undefined;
  readonly lineEnding: 'LF' | 'CRLF';
  readonly columnDelimiter: string;
  readonly apiVersion: number;
  readonly createdDate: string;
  state: JobState;
  systemModstamp: string;
  uploaded: boolean;
  header: string[];
  rows: string[][];
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  processed: number;
  errorMessage?: string | undefined;
}

interface QueryJob {
  readonly id: string;
  readonly query: string;
  readonly apiVersion: number;
  readonly createdDate: string;
  state: JobState;
  header: string[];
  rows: unknown[][];
  errorMessage?: string | undefined;
}

const SF_EPOCH_ID = 1;

/**
 * The column delimiters a job may declare (`columnDelimiter`, default COMMA); the upload is
 * read with it. https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/datafiles_prepare_csv.htm
 */
const DELIMITERS: Readonly<Record<string, string>> = { BACKQUOTE: '`', CARET: '^', COMMA: ',', PIPE: '|', SEMICOLON: ';', TAB: '\t' };

const jobId = (prefix: string, n: number) => `${prefix}${String(n).padStart(15 - prefix.length, '0')}`;

/** Text of a CSV field value for a record value (query results: empty for null). */
function csvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value);
}

/**
 * Bulk API 2.0 ingest and query jobs over the emulated org, with Salesforce's job states,
 * CSV conventions (`#N/A` sets a field to null, an empty value leaves it unchanged) and
 * per-record results (`sf__Id`, `sf__Created`, `sf__Error` columns followed by the
 * uploaded ones). Records go through the same validation as the REST API.
 *
 * https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_bulk_v2/
 */
export class BulkJobs {
  private readonly ingest = new Map<string, IngestJob>();
  private readonly queries = new Map<string, QueryJob>();
  private seq = SF_EPOCH_ID;
  settings: BulkSettings = { recordsPerTurn: 10_000 };

  /** @param onChange - called when a job changed data in the background (to persist it). */
  constructor(
    private readonly org: Org,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Forgets every job. */
  reset(): void {
    this.ingest.clear();
    this.queries.clear();
  }

  private ingestJob(id: string): IngestJob {
    const job = this.ingest.get(id);
    if (!job) throw new SfRequestError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  private queryJob(id: string): QueryJob {
    const job = this.queries.get(id);
    if (!job) throw new SfRequestError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  /** `POST /jobs/ingest`. @throws {@link SfRequestError} for a bad job definition. */
  createIngest(body: unknown, version: string): Record<string, unknown> {
    const b = (body ?? {}) as Record<string, unknown>;
    const operation = b.operation as IngestOperation;
    if (!['insert', 'update', 'upsert', 'delete'].includes(operation)) {
      throw new SfRequestError(400, 'INVALIDJOB', `Invalid operation: ${String(b.operation)}`);
    }
    const schema = typeof b.object === 'string' ? this.org.schema(b.object) : undefined;
    if (!schema) throw new SfRequestError(400, 'INVALIDJOB', `Unable to find object: ${String(b.object)}`);
    if (b.contentType !== undefined && b.contentType !== 'CSV') throw new SfRequestError(400, 'INVALIDJOB', 'Only CSV content is supported');
    const columnDelimiter = (b.columnDelimiter ?? 'COMMA') as string;
    if (!Object.hasOwn(DELIMITERS, columnDelimiter)) throw new SfRequestError(400, 'INVALIDJOB', `Invalid column delimiter: ${columnDelimiter}`);
    let externalIdFieldName: string | undefined;
    if (operation === 'upsert') {
      const f = typeof b.externalIdFieldName === 'string' ? this.org.field(schema, b.externalIdFieldName) : undefined;
      if (!f || !(f.externalId || f.name === 'Id')) throw new SfRequestError(400, 'INVALIDJOB', `Invalid external ID field: ${String(b.externalIdFieldName)}`);
      externalIdFieldName = f.name;
    }
    const now = new Date().toISOString();
    const job: IngestJob = {
      id: jobId('750', ++this.seq),
      object: schema.name,
      operation,
      externalIdFieldName,
      lineEnding: b.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
      columnDelimiter,
      apiVersion: Number(version.replace(/^v/, '')),
      createdDate: now,
      state: 'Open',
      systemModstamp: now,
      uploaded: false,
      header: [],
      rows: [],
      successful: [],
      failed: [],
      unprocessed: [],
      processed: 0,
    };
    this.ingest.set(job.id, job);
    return this.ingestInfo(job);
  }

  private ingestInfo(job: IngestJob): Record<string, unknown> {
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: '005000000000001AAA',
      createdDate: job.createdDate,
      systemModstamp: job.systemModstamp,
      state: job.state,
      ...(job.externalIdFieldName ? { externalIdFieldName: job.externalIdFieldName } : {}),
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: job.apiVersion,
      jobType: 'V2Ingest',
      contentUrl: `services/data/v${job.apiVersion.toFixed(1)}/jobs/ingest/${job.id}/batches`,
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
      numberRecordsProcessed: job.processed,
      numberRecordsFailed: job.failed.length,
      retries: 0,
      totalProcessingTime: 0,
      ...(job.errorMessage ? { errorMessage: job.errorMessage } : {}),
    };
  }

  /** `GET /jobs/ingest/{id}`. */
  ingestStatus(id: string): Record<string, unknown> {
    return this.ingestInfo(this.ingestJob(id));
  }

  /** `PUT /jobs/ingest/{id}/batches`: the job's CSV (one upload per job). */
  upload(id: string, csv: string): void {
    const job = this.ingestJob(id);
    if (job.state !== 'Open') throw new SfRequestError(409, 'INVALIDJOBSTATE', `Job is not open for data upload: ${job.state}`);
    if (job.uploaded) throw new SfRequestError(409, 'INVALIDJOBSTATE', 'Data was already uploaded for this job.');
    if (Buffer.byteLength(csv, 'utf8') > BULK_UPLOAD_LIMIT_BYTES) throw new SfRequestError(413, 'CLIENT_INPUT_ERROR', 'The upload exceeds 150 MB.');
    let rows: string[][];
    try {
      rows = parse(csv, { relax_column_count: false, skip_empty_lines: true, bom: true, delimiter: DELIMITERS[job.columnDelimiter] ?? ',' }) as string[][];
    } catch (error) {
      throw new SfRequestError(400, 'CLIENT_INPUT_ERROR', `Invalid CSV: ${(error as Error).message}`);
    }
    const [header, ...data] = rows;
    if (!header || header.length === 0) throw new SfRequestError(400, 'CLIENT_INPUT_ERROR', 'The CSV has no header row.');
    job.header = header;
    job.rows = data;
    job.uploaded = true;
  }

  /**
   * `PATCH /jobs/ingest/{id}` with `{ state: 'UploadComplete' | 'Aborted' }`. Closing
   * queues the job: it is processed `recordsPerTurn` records per event-loop turn.
   */
  changeState(id: string, body: unknown): Record<string, unknown> {
    const job = this.ingestJob(id);
    const state = (body as { state?: unknown } | undefined)?.state;
    if (state === 'UploadComplete') {
      if (job.state !== 'Open') throw new SfRequestError(409, 'INVALIDJOBSTATE', `Job state ${job.state} cannot change to UploadComplete`);
      job.state = 'UploadComplete';
      job.systemModstamp = new Date().toISOString();
      if (!job.uploaded) {
        job.state = 'Failed';
        job.errorMessage = 'No data was uploaded for this job.';
      } else {
        setImmediate(() => this.process(job));
      }
    } else if (state === 'Aborted') {
      if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') {
        throw new SfRequestError(409, 'INVALIDJOBSTATE', `Job state ${job.state} cannot change to Aborted`);
      }
      job.state = 'Aborted';
      job.unprocessed = job.rows.slice(job.processed);
      job.systemModstamp = new Date().toISOString();
    } else {
      throw new SfRequestError(400, 'INVALIDJOBSTATE', `Invalid state: ${String(state)}`);
    }
    return this.ingestInfo(job);
  }

  /** `DELETE /jobs/ingest/{id}`: only jobs in a final state (or open ones). */
  deleteIngest(id: string): void {
    const job = this.ingestJob(id);
    if (job.state === 'UploadComplete' || job.state === 'InProgress') throw new SfRequestError(409, 'INVALIDJOBSTATE', 'A job in progress cannot be deleted.');
    this.ingest.delete(id);
  }

  /** `GET /jobs/ingest/{id}/successfulResults` | `failedResults` | `unprocessedrecords`, as CSV. */
  results(id: string, kind: 'successful' | 'failed' | 'unprocessed'): string {
    const job = this.ingestJob(id);
    if (kind !== 'unprocessed' && job.state !== 'JobComplete' && job.state !== 'Failed' && job.state !== 'Aborted') {
      throw new SfRequestError(409, 'INVALIDJOBSTATE', 'Results are available once the job is complete.');
    }
    const header = kind === 'successful' ? ['sf__Id', 'sf__Created', ...job.header] : kind === 'failed' ? ['sf__Id', 'sf__Error', ...job.header] : job.header;
    const rows = kind === 'successful' ? job.successful : kind === 'failed' ? job.failed : job.state === 'Open' ? [] : job.unprocessed;
    return stringify([header, ...rows], { record_delimiter: job.lineEnding === 'CRLF' ? 'windows' : 'unix', quoted: true });
  }

  private process(job: IngestJob): void {
    if (job.state === 'Aborted') return;
    job.state = 'InProgress';
    const end = Math.min(job.rows.length, job.processed + this.settings.recordsPerTurn);
    for (; job.processed < end; job.processed++) {
      if (this.settings.failAfterRecords !== undefined && job.processed >= this.settings.failAfterRecords) {
        job.state = 'Failed';
        job.errorMessage = 'InternalServerError : the job was not finished; the remaining records were not processed.';
        job.unprocessed = job.rows.slice(job.processed);
        job.systemModstamp = new Date().toISOString();
        this.onChange();
        return;
      }
      const row = job.rows[job.processed] as string[];
      const result = this.apply(job, row);
      if (result.success) job.successful.push([String(result.id), result.created ? 'true' : 'false', ...row]);
      else {
        const e = result.errors[0];
        job.failed.push([result.id ?? '', e ? `${e.statusCode}:${e.message}:${e.fields.join(',')} --` : 'UNKNOWN_EXCEPTION:rejected --', ...row]);
      }
    }
    job.systemModstamp = new Date().toISOString();
    this.onChange();
    if (job.processed < job.rows.length) setImmediate(() => this.process(job));
    else job.state = 'JobComplete';
  }

  private apply(job: IngestJob, row: string[]): SaveResult & { created?: boolean } {
    const schema = this.org.schema(job.object);
    if (!schema) return { id: null, success: false, errors: [{ statusCode: 'INVALID_TYPE', message: `sObject type '${job.object}' is not supported.`, fields: [] }] };
    const fields: SfRecord = {};
    let id: string | undefined;
    for (let c = 0; c < job.header.length; c++) {
      const name = job.header[c] as string;
      const text = row[c] ?? '';
      if (name.toLowerCase() === 'id') {
        if (text !== '') id = text;
        continue;
      }
      if (text === '') continue; // an empty value leaves the field unchanged
      const f = this.org.field(schema, name);
      if (!f) return { id: null, success: false, errors: [{ statusCode: 'INVALID_FIELD', message: `No such column '${name}' on entity '${schema.name}'`, fields: [name] }] };
      const value = text === '#N/A' ? null : typed(f, text);
      if (value === undefined) {
        return {
          id: null,
          success: false,
          errors: [{ statusCode: 'INVALID_FIELD', message: `Failed to deserialize field at col ${c + 1}. Due to, ${text} is not a valid value for the type xsd:${f.type}`, fields: [f.name] }],
        };
      }
      fields[f.name] = value;
    }
    switch (job.operation) {
      case 'insert':
        return { ...this.org.create(schema.name, fields), created: true };
      case 'update':
        if (!id) return { id: null, success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] };
        return this.org.update(id, fields, schema.name);
      case 'delete':
        if (!id) return { id: null, success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in a delete call', fields: [] }] };
        return this.org.delete(id);
      case 'upsert': {
        const key = job.externalIdFieldName as string;
        if (key === 'Id') return id ? this.org.update(id, fields, schema.name) : { ...this.org.create(schema.name, fields), created: true };
        const value = fields[key];
        const field = this.org.field(schema, key);
        const existing = typeof value === 'string' && field ? this.org.upsertMatches(schema.name, field, value) : [];
        if (existing.length > 1) return { id: null, success: false, errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID', message: `${key}: more than one record found for external id field`, fields: [key] }] };
        const found = existing[0];
        if (found) return { ...this.org.update(String(found.Id), fields, schema.name), created: false };
        return { ...this.org.create(schema.name, fields), created: true };
      }
    }
  }

  /** `POST /jobs/query`: runs the query at once (the job is `JobComplete` by the first poll). */
  createQuery(body: unknown, version: string): Record<string, unknown> {
    const b = (body ?? {}) as Record<string, unknown>;
    if (b.operation !== 'query' && b.operation !== undefined) throw new SfRequestError(400, 'INVALIDJOB', `Unsupported operation: ${String(b.operation)}`);
    if (typeof b.query !== 'string') throw new SfRequestError(400, 'INVALIDJOB', 'A query is required.');
    let parsed;
    try {
      parsed = parseSoql(b.query);
    } catch (error) {
      if (error instanceof SoqlSyntaxError) throw new SfRequestError(400, 'INVALIDJOB', `MALFORMED_QUERY: ${error.message}`);
      throw error;
    }
    // Bulk API 2.0 refuses COUNT(), OFFSET and parent-to-child subqueries.
    // https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/query_create_job.htm
    if (parsed.count || parsed.offset !== undefined || parsed.subqueries.length > 0) {
      throw new SfRequestError(400, 'API_ERROR', 'Bulk API 2.0 does not support COUNT(), OFFSET or parent-to-child relationship queries.');
    }
    const rows = this.org.query(parsed);
    const header = parsed.fields.map((f) => this.org.field(this.org.schema(parsed.object) as NonNullable<ReturnType<Org['schema']>>, f)?.name ?? f);
    const job: QueryJob = {
      id: jobId('750', ++this.seq),
      query: b.query,
      apiVersion: Number(version.replace(/^v/, '')),
      createdDate: new Date().toISOString(),
      state: 'UploadComplete',
      header,
      rows: rows.map((r) => header.map((h) => r[h])),
    };
    this.queries.set(job.id, job);
    setImmediate(() => {
      if (job.state === 'UploadComplete') job.state = 'JobComplete';
    });
    return this.queryInfo(job);
  }

  private queryInfo(job: QueryJob): Record<string, unknown> {
    return {
      id: job.id,
      operation: 'query',
      object: '',
      createdById: '005000000000001AAA',
      createdDate: job.createdDate,
      systemModstamp: job.createdDate,
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: job.apiVersion,
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
      ...(job.state === 'JobComplete' ? { numberRecordsProcessed: job.rows.length } : {}),
    };
  }

  /** `GET /jobs/query/{id}`. */
  queryStatus(id: string): Record<string, unknown> {
    return this.queryInfo(this.queryJob(id));
  }

  /**
   * `GET /jobs/query/{id}/results?maxRecords=&locator=`: one page of CSV and the locator of
   * the next (`null` on the last page), as `Sforce-Locator` / `Sforce-NumberOfRecords`.
   */
  queryResults(id: string, maxRecords: number | undefined, locator: string | undefined): { csv: string; locator: string; count: number } {
    const job = this.queryJob(id);
    if (job.state !== 'JobComplete') throw new SfRequestError(409, 'INVALIDJOBSTATE', 'Results are available once the job is complete.');
    const from = locator ? Number(Buffer.from(locator, 'base64').toString('utf8')) : 0;
    if (!Number.isInteger(from) || from < 0 || from > job.rows.length) throw new SfRequestError(400, 'INVALID_LOCATOR', 'Invalid locator');
    const size = maxRecords && maxRecords > 0 ? maxRecords : job.rows.length;
    const page = job.rows.slice(from, from + size);
    const next = from + page.length < job.rows.length ? Buffer.from(String(from + page.length)).toString('base64') : 'null';
    return { csv: stringify([job.header, ...page.map((r) => r.map(csvText))], { quoted: true }), locator: next, count: page.length };
  }
}

/** A CSV text as the field's value, or `undefined` when it is not one. */
function typed(f: FieldSchema, text: string): unknown {
  switch (f.type) {
    case 'boolean': {
      const t = text.toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return undefined;
    }
    case 'double':
    case 'int': {
      const n = Number(text);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (!m) return undefined;
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.getUTCDate() === Number(m[3]) && d.getUTCMonth() === Number(m[2]) - 1 ? text : undefined;
    }
    case 'datetime':
      return Number.isNaN(Date.parse(text)) ? undefined : text;
    default:
      return text;
  }
}
