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

/**
 * Of a destination's groups, those that are group `name`: the ones named exactly so, else the
 * ones named so but for white space (`groupName`: a group a person named with two spaces or a
 * no-break space). One named exactly beside such look-alikes is the group, not an ambiguity:
 * the sync itself created it, before names were read in one spelling. With `caseInsensitive`
 * (a destination that compares names so: Intercom's tags, Salesforce's campaigns) case is set
 * aside in both comparisons. Several left is for the caller to refuse (`ambiguous_group`).
 */
export function groupsNamed<G>(groups: readonly G[], name: string, nameOf: (group: G) => string, options: { readonly caseInsensitive?: boolean } = {}): G[] {
  const fold = options.caseInsensitive === true ? (text: string) => text.toLowerCase() : (text: string) => text;
  const exact = groups.filter((g) => fold(nameOf(g)) === fold(name));
  if (exact.length > 0) return exact;
  const spelled = fold(groupName(name));
  return groups.filter((g) => fold(groupName(nameOf(g))) === spelled);
}
