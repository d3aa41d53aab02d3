const CR = 13;
const LF = 10;

/** Line breaks in `text[from, to)`: `\r\n`, `\r` and `\n` each count once. */
export function countLineBreaks(text: string, from = 0, to = text.length): number {
  let breaks = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) breaks++;
    else if (c === CR) {
      breaks++;
      if (text.charCodeAt(i + 1) === LF) i++;
    }
  }
  return breaks;
}

/** Where the text after leading line breaks (blank lines) starts. */
function afterLeadingBreaks(text: string): number {
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === CR || text.charCodeAt(i) === LF)) i++;
  return i;
}

/**
 * Tells the file line on which each record starts, from the raw text csv-parse consumed for
 * it (its `raw` option): blank lines before the record, the record (quoted fields may hold
 * line breaks) and the first character of its record delimiter. Counting from that text
 * rather than from csv-parse's `info.lines` keeps numbers exact after quoted fields that
 * hold `\r\n` (which `info.lines` counts twice) and after malformed rows.
 *
 * Feed every piece of raw text in file order, records and skipped rows alike.
 */
export class LineCounter {
  /** The line the next piece of raw text starts on (1-based). */
  private next = 1;

  /**
   * Accounts for one record's raw text.
   *
   * @returns the line its first character is on, and the line its last character is on.
   */
  advance(raw: string): { readonly first: number; readonly last: number } {
    const start = afterLeadingBreaks(raw);
    const first = this.next + countLineBreaks(raw, 0, start);
    let end = raw.length;
    const tail = raw.charCodeAt(end - 1);
    if (tail === LF || tail === CR) end -= tail === LF && raw.charCodeAt(end - 2) === CR ? 2 : 1;
    const last = first + countLineBreaks(raw, start, Math.max(start, end));
    this.next += countLineBreaks(raw);
    return { first, last };
  }
}
