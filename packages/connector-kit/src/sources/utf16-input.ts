import { Transform, type TransformCallback } from 'node:stream';
import { fileHead } from './source-file';

/** The UTF-16 form a file's byte-order mark names (`FF FE` little-endian, `FE FF` big-endian), or undefined (UTF-8 is assumed). */
export function utf16Of(path: string): 'utf-16le' | 'utf-16be' | undefined {
  const head = fileHead(path, 2);
  if (head.length < 2) return undefined;
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

/**
 * Re-encodes a UTF-16 byte stream (its BOM kept, as U+FEFF) as UTF-8, so that a UTF-16 file
 * is parsed, checked and numbered line by line exactly as the same file saved as UTF-8
 * (fourteenth trial of #17: csv-parse decoded a UTF-16 file itself, its `raw` text did not
 * follow, so a stray pair of quotes merged two rows unnoticed and every row was numbered 1).
 * A character that is not valid UTF-16 (a lone surrogate) becomes U+FFFD, which fails its
 * value with `invalid_encoding` (see `mapRow`). Uses the WHATWG `TextDecoder` built into Node.
 */
export class Utf16ToUtf8 extends Transform {
  private readonly decoder: TextDecoder;

  constructor(encoding: 'utf-16le' | 'utf-16be') {
    super();
    this.decoder = new TextDecoder(encoding, { ignoreBOM: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    done(null, Buffer.from(this.decoder.decode(chunk, { stream: true }), 'utf8'));
  }

  override _flush(done: TransformCallback): void {
    done(null, Buffer.from(this.decoder.decode(), 'utf8'));
  }
}
