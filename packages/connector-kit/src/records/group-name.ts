/**
 * A group name as the source gives it, in the one spelling the sync uses: NFC, trimmed, and
 * every run of white space inside it — spaces, no-break spaces (U+00A0, U+202F), tabs, line
 * breaks, the other Unicode spaces — one space. A spreadsheet or a web export writes `Spring
 * Promo` with a no-break space or two spaces; kept so, it named another group than the
 * `Spring Promo` that existed, and the destination got a second one that looks the same
 * (fresh trial 144, F5: a look-alike Salesforce campaign). Empty when nothing is left.
 */
export function groupName(raw: string): string {
  // ASCII is its own NFC form (a million rows' group cells: skip the normalisation there).
  return (NOT_ASCII.test(raw) ? raw.normalize('NFC') : raw).replace(WHITE_SPACE, ' ').trim();
}

const NOT_ASCII = /[\u0080-\uffff]/;
const WHITE_SPACE = /\s+/gu;
