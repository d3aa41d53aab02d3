import { StateIndex } from './state-index';

/** "SMIX": the first 4 bytes of an index snapshot. */
const MAGIC = 0x534d4958;
/** The layout below; a snapshot of another version is not read (the index is loaded from the rows). */
const VERSION = 1;
const HEADER_WORDS = 4;

/**
 * A {@link StateIndex} as one buffer, so that a store can keep it beside its rows and load a
 * million-entry index with one read instead of a million (a third of an unchanged
 * million-row rerun's time went to reading the rows and filling the index: #14). Layout,
 * little-endian: a header of 4 u32 (magic, version, entries, bytes of the id characters),
 * then the id table's entry starts (entries + 1 u32), hashes (u32) and UTF-16 flags (u8),
 * the id characters, the SHA-256 hashes (32 bytes an entry), the flags (u8), the times
 * (f64, ms), and the odd hashes as JSON to the end.
 */
export function encodeIndex(index: StateIndex): Buffer {
  const c = index.columns();
  const header = new Uint32Array([MAGIC, VERSION, c.flags.length, c.ids.bytes.length]);
  const parts: ArrayBufferView[] = [header, c.ids.starts, c.ids.hashes, c.ids.wide, c.ids.bytes, c.hashes, c.flags, c.updated, Buffer.from(JSON.stringify(c.odd))];
  return Buffer.concat(parts.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
}

/** Cuts `data` into consecutive sections of the given byte lengths (undefined when it is not exactly that long). */
function sections(data: Uint8Array, lengths: readonly number[]): Uint8Array[] | undefined {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const length of lengths) {
    if (at + length > data.length) return undefined;
    out.push(data.subarray(at, at + length));
    at += length;
  }
  out.push(data.subarray(at));
  return out;
}

/** A copy of `bytes` as a typed array of `Type` (copied: the bytes need not be aligned). */
function copyAs<T>(Type: { new (buffer: ArrayBuffer): T }, bytes: Uint8Array): T {
  const buffer = new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return new Type(buffer);
}

/** The index {@link encodeIndex} wrote into `data`, or `undefined` when `data` is not such a snapshot (another version, cut short). */
export function decodeIndex(data: Uint8Array): StateIndex | undefined {
  if (data.length < HEADER_WORDS * 4) return undefined;
  const [magic, version, size, characters] = copyAs(Uint32Array, data.subarray(0, HEADER_WORDS * 4)) as unknown as [number, number, number, number];
  if (magic !== MAGIC || version !== VERSION) return undefined;
  const parts = sections(data.subarray(HEADER_WORDS * 4), [(size + 1) * 4, size * 4, size, characters, size * 32, size, size * 8]);
  if (parts === undefined) return undefined;
  const [starts, idHashes, wide, bytes, hashes, flags, updated, odd] = parts as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const startWords = copyAs(Uint32Array, starts);
  if (startWords[size] !== characters) return undefined;
  let oddHashes: [number, string][];
  try {
    oddHashes = JSON.parse(Buffer.from(odd).toString('utf8')) as [number, string][];
  } catch {
    return undefined;
  }
  return StateIndex.fromColumns({
    ids: { bytes, starts: startWords, hashes: copyAs(Uint32Array, idHashes), wide },
    hashes,
    flags,
    updated: copyAs(Float64Array, updated),
    odd: oddHashes,
  });
}
