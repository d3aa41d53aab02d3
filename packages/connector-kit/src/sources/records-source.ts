import { groupName } from '../records/group-name';
import { InputError } from '../errors/sync-error';
import { mapRow, type FieldMapping } from '../mapping/field-mapping';
import type { PropertyValue, RecordSource, SourceItem, SourceRowError } from '../records/types';

/** One record held in memory, as {@link recordsSource} takes it without a mapping. */
export interface MemoryRecord {
  /** The source's primary key (e.g. a customer id); a number is used as its decimal text. */
  readonly id: string | number;
  /** Destination field → value (`null` clears the field in the destination). */
  readonly properties: Readonly<Record<string, PropertyValue>>;
  /** Names of the groups (campaigns, tags, audiences) the record belongs to. Default: none. */
  readonly groups?: readonly string[] | undefined;
}

/**
 * Records held in memory: an array (read again for each pass), any other iterable or async
 * iterable (a generator, a stream in object mode, a database cursor: kept in memory as it
 * is first read, since a run reads its source twice), or a function returning a fresh
 * iterable for each read (nothing is kept).
 */
export type RecordsInput<T> = Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>);

/** Options of {@link recordsSource}. */
export interface RecordsSourceOptions {
  /** What reports call the source (e.g. `crm-contacts`). */
  readonly name: string;
  /**
   * When given, each element is a row (column → value), mapped exactly like a JSON file's
   * element (see `mapRow`): `idColumn`, `fields`, `groupsColumn`. Without it, each element
   * is a {@link MemoryRecord}.
   */
  readonly mapping?: FieldMapping | undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const rowError = (row: number, message: string): SourceRowError => ({ kind: 'error', row, error: new InputError('malformed_row', message) });

/** The groups of a memory record, or the error that fails it (non-text or NUL names). */
function groupsOf(value: unknown, row: number, id: string): string[] | SourceRowError {
  if (value === undefined || value === null) return [];
  const fail = (code: string, message: string): SourceRowError => ({ kind: 'error', row, id, error: new InputError(code, message) });
  if (!Array.isArray(value)) return fail('unsupported_value', 'Field "groups" must be a list of group names.');
  const names = new Set<string>();
  for (const g of value) {
    if (typeof g !== 'string') return fail('unsupported_value', 'Field "groups" holds a value that is not text; give group names.');
    const name = groupName(g);
    if (name.includes('\u0000')) return fail('invalid_value', 'Field "groups" holds a NUL character (\\u0000), which no destination stores; remove it.');
    if (name !== '') names.add(name);
  }
  return [...names];
}

/** A memory record as a source item: the same checks (and codes) as a file's row. */
function memoryItem(element: unknown, row: number): SourceItem {
  if (!isObject(element) || !isObject(element.properties)) {
    return rowError(row, `Element ${row} is not a record: give { id, properties, groups? } (or pass a mapping for plain rows).`);
  }
  const checked = mapRow({ id: element.id }, row, { idColumn: 'id', fields: {} }, 'Field');
  if (checked.kind === 'error') return checked;
  const properties = element.properties;
  let idKey = '\u0000id';
  while (Object.hasOwn(properties, idKey)) idKey += '_';
  const fields = Object.fromEntries(Object.keys(properties).map((k) => [k, k]));
  const mapped = mapRow({ ...properties, [idKey]: checked.id }, row, { idColumn: idKey, fields }, 'Property');
  if (mapped.kind === 'error') return mapped;
  const groups = groupsOf(element.groups, row, checked.id);
  if (!Array.isArray(groups)) return groups;
  return { ...mapped, snapshot: { properties: mapped.snapshot.properties, groups } };
}

/** Reads an input again for each pass: arrays and functions directly, anything else through a buffer filled as it is first read. */
function rereadable<T>(input: RecordsInput<T>): () => AsyncIterable<T> {
  if (typeof input === 'function') return () => toAsync(input());
  if (Array.isArray(input)) return () => toAsync(input as readonly T[]);
  const seen: T[] = [];
  let iterator: Iterator<T> | AsyncIterator<T> | undefined;
  let done = false;
  let pending: Promise<void> | undefined;
  const pull = async (): Promise<void> => {
    iterator ??= Symbol.asyncIterator in input ? (input as AsyncIterable<T>)[Symbol.asyncIterator]() : (input as Iterable<T>)[Symbol.iterator]();
    const next = await iterator.next();
    if (next.done) done = true;
    else seen.push(next.value);
  };
  return () => ({
    async *[Symbol.asyncIterator]() {
      for (let i = 0; ; i++) {
        while (i >= seen.length && !done) {
          pending ??= pull().finally(() => (pending = undefined));
          await pending;
        }
        if (i >= seen.length) return;
        yield seen[i] as T;
      }
    },
  });
}

async function* toAsync<T>(items: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  yield* items;
}

/**
 * Records held in your program as a {@link RecordSource}, for `runSync`: an array, an
 * iterable or async iterable, or a function returning one (see {@link RecordsInput}).
 * Each record's `row` is its position (1-based).
 *
 * Elements are {@link MemoryRecord}s (`{ id, properties, groups? }`), or plain rows when
 * `options.mapping` is given. Bad elements fail alone, with the codes a file's rows get:
 * `missing_record_id`, `invalid_id`, `invalid_number`, `invalid_encoding`, `invalid_value`,
 * `unsupported_value`, and `malformed_row` for an element that is not a record (without an
 * id: the run then deletes and removes nothing).
 *
 * @example
 * ```ts
 * const source = recordsSource([{ id: 'c-1', properties: { Email: 'ada@example.com' }, groups: ['VIP'] }], { name: 'crm' });
 * ```
 */
export function recordsSource(records: RecordsInput<MemoryRecord>, options: RecordsSourceOptions & { readonly mapping?: undefined }): RecordSource;
export function recordsSource(records: RecordsInput<Readonly<Record<string, unknown>>>, options: RecordsSourceOptions & { readonly mapping: FieldMapping }): RecordSource;
export function recordsSource(records: RecordsInput<unknown>, options: RecordsSourceOptions): RecordSource {
  const read = rereadable(records);
  const { mapping } = options;
  return {
    name: options.name,
    async *open(): AsyncGenerator<SourceItem> {
      let row = 0;
      for await (const element of read()) {
        row++;
        if (!mapping) yield memoryItem(element, row);
        else if (isObject(element)) yield mapRow(element, row, mapping);
        else yield rowError(row, `Element ${row} is not an object (a row of column → value).`);
      }
    },
  };
}
