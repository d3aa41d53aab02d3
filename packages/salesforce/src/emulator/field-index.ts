/** A record as the org stores it: field name → value. */
type Row = Readonly<Record<string, unknown>>;

/**
 * Case-insensitive equality indexes over text fields of an object's records, built lazily
 * (on the first lookup of a field) and kept current as records change. They make the
 * emulator's SOQL `=` / `IN`, unique-field and duplicate-rule checks O(values) instead of
 * O(records × values), so the emulator is not what a large benchmark measures. Only
 * string values are indexed (Salesforce compares text case-insensitively; other types
 * never equal a text literal).
 */
export class FieldIndexes {
  /** object → field → lowercased value → ids. */
  private readonly byObject = new Map<string, Map<string, Map<string, Set<string>>>>();

  /** Drops every index (after a reset or load). */
  clear(): void {
    this.byObject.clear();
  }

  /**
   * Ids of the records of `object` whose `field` equals `value` (case-insensitive). The
   * index is built from `rows` the first time the field is looked up.
   */
  lookup(object: string, field: string, value: string, rows: () => Iterable<Row>): ReadonlySet<string> {
    let fields = this.byObject.get(object);
    if (!fields) {
      fields = new Map();
      this.byObject.set(object, fields);
    }
    let index = fields.get(field);
    if (!index) {
      index = new Map();
      for (const row of rows()) add(index, row, field);
      fields.set(field, index);
    }
    return index.get(value.toLowerCase()) ?? EMPTY;
  }

  /** Call before a record of `object` changes or is removed. */
  remove(object: string, row: Row): void {
    const fields = this.byObject.get(object);
    if (!fields) return;
    for (const [field, index] of fields) {
      const value = row[field];
      if (typeof value !== 'string') continue;
      const ids = index.get(value.toLowerCase());
      ids?.delete(String(row.Id));
      if (ids?.size === 0) index.delete(value.toLowerCase());
    }
  }

  /** Call after a record of `object` was added or changed. */
  add(object: string, row: Row): void {
    const fields = this.byObject.get(object);
    if (!fields) return;
    for (const [field, index] of fields) add(index, row, field);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

function add(index: Map<string, Set<string>>, row: Row, field: string): void {
  const value = row[field];
  if (typeof value !== 'string') return;
  const key = value.toLowerCase();
  let ids = index.get(key);
  if (!ids) {
    ids = new Set();
    index.set(key, ids);
  }
  ids.add(String(row.Id));
}
