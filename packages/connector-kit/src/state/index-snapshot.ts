import { StateIndex } from './state-index';

/** "SMIX": the first 4 bytes of an index snapshot. */
const MAGIC = 0x534d4958;
/** The layout below; a snapshot of another version is not read (the index is loaded from the rows). */
const VERSION = 2;
const HEADER_BYTES = 16;
/** Every section starts at a multiple of 8 bytes, so that it can be read in place as a typed array. */
const ALIGN = 8;

const padded = (bytes: number) => Math.ceil(bytes / ALIGN) * ALIGN;

/**
 * A {@link StateIndex} as bytes, so that a store can keep it beside its rows and load a
 * million-entry index with one read instead of a million (a third of an unchanged
 * million-row rerun's time went to reading the rows and filling the index: #14). Given as
 * consecutive pieces (views of the index's columns, no copy), to be stored one after
 * another and read back as one buffer by {@link decodeIndex}. Layout, little-endian, each
 * section padded to 8 bytes: a header of 4 u32 (magic, version, entries, bytes of the id
 * characters), the times (f64, ms), the id table's entry starts (entries + 1 u32) and
 * hashes (u32), the SHA-256 hashes (32 bytes an entry), the id characters, the UTF-16 flags
 * (u8), the entry flags (u8), then the odd hashes as JSON to the end.
 */
export function encodeIndex(index: StateIndex): Uint8Array[] {
  const c = index.columns();
  const header = new Uint32Array([MAGIC, VERSION, c.flags.length, c.ids.bytes.length]);
  const sections: ArrayBufferView[] = [header, c.updated, c.ids.starts, c.ids.hashes, c.hashes, c.ids.bytes, c.ids.wide, c.flags];
  const pieces: Uint8Array[] = [];
  for (const p of sections) {
    pieces.push(new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
    if (padded(p.byteLength) > p.byteLength) pieces.push(new Uint8Array(padded(p.byteLength) - p.byteLength));
  }
  pieces.push(Buffer.from(JSON.stringify(c.odd)));
  return pieces;
}

/**
 * The index {@link encodeIndex} wrote into `data`, or `undefined` when `data` is not such a
 * snapshot (another version, cut short). The index reads `data` in place when it is aligned
 * (no copy of a million entries' 57 MB), so `data` must not be changed afterwards.
 */
export function decodeIndex(data: Uint8Array): StateIndex | undefined {
  if (data.byteOffset % ALIGN !== 0) data = new Uint8Array(data);
  if (data.length < HEADER_BYTES) return undefined;
  const [magic, version, size, characters] = new Uint32Array(data.buffer, data.byteOffset, 4) as unknown as [number, number, number, number];
  if (magic !== MAGIC || version !== VERSION) return undefined;
  let at = HEADER_BYTES;
  const take = <T>(Type: new (buffer: ArrayBufferLike, offset: number, length: number) => T, count: number, width: number): T | undefined => {
    const start = at;
    at += padded(count * width);
    return start + count * width > data.length ? undefined : new Type(data.buffer, data.byteOffset + start, count);
  };
  const updated = take(Float64Array, size, 8);
  const starts = take(Uint32Array, size + 1, 4);
  const idHashes = take(Uint32Array, size, 4);
  const hashes = take(Uint8Array, size * 32, 1);
  const bytes = take(Uint8Array, characters, 1);
  const wide = take(Uint8Array, size, 1);
  const flags = take(Uint8Array, size, 1);
  if (!updated || !starts || !idHashes || !hashes || !bytes || !wide || !flags || at > data.length || starts[size] !== characters) return undefined;
  let odd: [number, string][];
  try {
    odd = JSON.parse(Buffer.from(data.buffer, data.byteOffset + at, data.length - at).toString('utf8')) as [number, string][];
  } catch {
    return undefined;
  }
  return StateIndex.fromColumns({ ids: { bytes, starts, hashes: idHashes, wide }, hashes, flags, updated, odd });
}
