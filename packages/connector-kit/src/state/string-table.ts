/** Entry number of a string that is not in the table. */
export const ABSENT = -1;

const EMPTY_SLOT = -1;
const INITIAL_ENTRIES = 1024;

/** The columns of a {@link StringTable} (see {@link StringTable.columns}). */
export interface StringTableColumns {
  readonly bytes: Uint8Array;
  /** `count + 1` byte offsets: entry i spans bytes starts[i] … starts[i + 1]. */
  readonly starts: Uint32Array;
  readonly hashes: Uint32Array;
  readonly wide: Uint8Array;
}

/**
 * A set of strings kept outside the JavaScript heap, each with a dense entry number (0, 1,
 * 2… in the order added): their characters one after another in a growing buffer (one byte
 * a character when every character fits, else UTF-16, so every string reads back exactly),
 * found again through an open-addressing table of entry numbers keyed by a 32-bit FNV-1a
 * hash of the characters. About 20 bytes an entry plus its characters, none of it on the
 * V8 heap: the first pass of a million-record run keeps its ids and match keys here
 * instead of in a `Set` and a `Map` (about 120 MB of long-lived heap, which V8 would let
 * grow to several times that before collecting).
 */
export class StringTable {
  private bytes: Buffer;
  private used = 0;
  /** Entry i spans bytes starts[i] … starts[i + 1]. */
  private starts: Uint32Array;
  private hashes: Uint32Array;
  /** 1: the entry is stored as UTF-16 (some character above U+00FF); 0: as Latin-1, one byte a character. */
  private wide: Uint8Array;
  /** Open addressing (linear probing), load ≤ 1/2: entry numbers, or EMPTY_SLOT. */
  private slots: Int32Array;
  private count = 0;

  /** @param capacity - expected number of strings (the table grows past it as needed). */
  constructor(capacity = INITIAL_ENTRIES) {
    const entries = Math.max(INITIAL_ENTRIES, capacity + 1);
    this.bytes = Buffer.allocUnsafe(entries * 8);
    this.starts = new Uint32Array(entries + 1);
    this.hashes = new Uint32Array(entries);
    this.wide = new Uint8Array(entries);
    let slots = INITIAL_ENTRIES * 2;
    while (slots < entries * 2) slots *= 2;
    this.slots = new Int32Array(slots).fill(EMPTY_SLOT);
  }

  /**
   * The table's columns as they are (views, not copies), for {@link StringTable.fromColumns}:
   * the characters, where each entry starts (`count + 1` offsets), each entry's hash and
   * whether it is stored as UTF-16.
   */
  columns(): StringTableColumns {
    return { bytes: this.bytes.subarray(0, this.used), starts: this.starts.subarray(0, this.count + 1), hashes: this.hashes.subarray(0, this.count), wide: this.wide.subarray(0, this.count) };
  }

  /**
   * A table on `columns`, as {@link StringTable.columns} gave them: adopted, not copied (they
   * are the table's until it outgrows them), so the caller must not change them. The probe
   * table is rebuilt from the hashes.
   */
  static fromColumns(columns: StringTableColumns): StringTable {
    const count = columns.hashes.length;
    const table = new StringTable(0);
    if (count === 0) return table;
    table.bytes = Buffer.from(columns.bytes.buffer, columns.bytes.byteOffset, columns.bytes.byteLength);
    table.used = columns.bytes.length;
    table.starts = columns.starts;
    table.hashes = columns.hashes;
    table.wide = columns.wide;
    table.count = count;
    let size = table.slots.length;
    while (size < (count + 1) * 2) size *= 2;
    const slots = new Int32Array(size).fill(EMPTY_SLOT);
    const mask = size - 1;
    for (let entry = 0; entry < count; entry++) {
      let i = (columns.hashes[entry] as number) & mask;
      while (slots[i] !== EMPTY_SLOT) i = (i + 1) & mask;
      slots[i] = entry;
    }
    table.slots = slots;
    return table;
  }

  /** Strings in the table. */
  get size(): number {
    return this.count;
  }

  /** The entry number of `text`, or {@link ABSENT}. */
  find(text: string): number {
    const hash = hashOf(text);
    const mask = this.slots.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const entry = this.slots[i] as number;
      if (entry === EMPTY_SLOT) return ABSENT;
      if (this.hashes[entry] === hash && this.equals(entry, text)) return entry;
    }
  }

  /**
   * The entry number of `text`, adding it when it is new. A new entry's number is the
   * table's size before the call (`added` tells a caller which it was: `size` grew).
   */
  add(text: string): number {
    const hash = hashOf(text);
    const mask = this.slots.length - 1;
    let i = hash & mask;
    for (; ; i = (i + 1) & mask) {
      const entry = this.slots[i] as number;
      if (entry === EMPTY_SLOT) break;
      if (this.hashes[entry] === hash && this.equals(entry, text)) return entry;
    }
    const entry = this.count;
    if (entry + 1 >= this.hashes.length) this.growEntries();
    const wide = needsUtf16(text);
    const length = wide ? text.length * 2 : text.length;
    if (this.used + length > this.bytes.length) this.growBytes(this.used + length);
    if (wide) this.bytes.write(text, this.used, length, 'utf16le');
    else for (let c = 0, at = this.used; c < length; c++) this.bytes[at + c] = text.charCodeAt(c);
    this.used += length;
    this.starts[entry + 1] = this.used;
    this.hashes[entry] = hash;
    this.wide[entry] = wide ? 1 : 0;
    this.count++;
    if (this.count * 2 > this.slots.length) this.rehash();
    else this.slots[i] = entry;
    return entry;
  }

  /** The string of entry `entry` (a new string each call). */
  at(entry: number): string {
    return this.bytes.toString(this.wide[entry] === 1 ? 'utf16le' : 'latin1', this.starts[entry], this.starts[entry + 1]);
  }

  private equals(entry: number, text: string): boolean {
    const start = this.starts[entry] as number;
    const end = this.starts[entry + 1] as number;
    const wide = this.wide[entry] === 1;
    if (wide) return text.length * 2 === end - start && this.bytes.toString('utf16le', start, end) === text;
    if (text.length !== end - start) return false;
    for (let c = 0; c < text.length; c++) if (this.bytes[start + c] !== text.charCodeAt(c)) return false;
    return true;
  }

  private growEntries(): void {
    const capacity = this.hashes.length * 2;
    const starts = new Uint32Array(capacity + 1);
    starts.set(this.starts);
    this.starts = starts;
    const hashes = new Uint32Array(capacity);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const wide = new Uint8Array(capacity);
    wide.set(this.wide);
    this.wide = wide;
  }

  private growBytes(needed: number): void {
    const bytes = Buffer.allocUnsafe(Math.max(needed, Math.ceil(this.bytes.length * 1.5)));
    this.bytes.copy(bytes, 0, 0, this.used);
    this.bytes = bytes;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(EMPTY_SLOT);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let i = (this.hashes[entry] as number) & mask;
      while (slots[i] !== EMPTY_SLOT) i = (i + 1) & mask;
      slots[i] = entry;
    }
    this.slots = slots;
  }
}

/** FNV-1a over the string's UTF-16 code units, then MurmurHash3's finaliser (the low bits index the table). */
function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** True when some character is above U+00FF (Latin-1 cannot hold it). */
function needsUtf16(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return true;
  return false;
}
