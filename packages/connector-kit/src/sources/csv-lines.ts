const CR = 13;
const LF = 10;

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
  private next: number;

  /** @param firstLine the file line the first piece of raw text starts on (after lines the parser was told to skip). */
  constructor(firstLine = 1) {
    this.next = firstLine;
  }

  /**
   * Accounts for one record's raw text.
   *
   * @returns the line its first character is on, and the line its last character is on.
   */
  advance(raw: string): { readonly first: number; readonly last: number } {
    // One pass: the breaks before the first other character (blank lines), those after it, and whether the text ends with one (its delimiter).
    let leading = 0;
    let inside = 0;
    let started = false;
    let lastBreakEnd = -1;
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c === LF || c === CR) {
        if (c === CR && raw.charCodeAt(i + 1) === LF) i++;
        if (started) inside++;
        else leading++;
        lastBreakEnd = i + 1;
      } else started = true;
    }
    // The record's own delimiter ends its text: its line is the record's last.
    const trailing = started && lastBreakEnd === raw.length ? 1 : 0;
    const first = this.next + leading;
    this.next += leading + inside;
    return { first, last: first + inside - trailing };
  }
}
