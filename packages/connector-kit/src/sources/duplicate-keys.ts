/** A key written twice in one JSON object: in which element of a top-level array (0-based; 0 for a top-level object), and which key. */
export interface DuplicateKey {
  readonly element: number;
  readonly key: string;
}

/** Object keys in a parsed JSON value, at every depth. */
function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const v of value) n += countKeys(v);
    return n;
  }
  for (const key in value) n += 1 + countKeys((value as Record<string, unknown>)[key]);
  return n;
}

/** Every `"…":` in the text: at least one per key written (a string value holding `":` adds more). */
function keyMarks(text: string): number {
  return text.match(/"\s*:/g)?.length ?? 0;
}

/** Where the string starting at `start` (its opening quote) ends: the index of its closing quote. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === 0x5c) slashes++;
    if (slashes % 2 === 0) return quote;
    i = quote + 1;
  }
}

/** The keys written twice in one object of `text` (valid JSON), first per element; see {@link duplicateKeys}. */
function scan(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  // One entry per open container: the keys of an object, or null for an array.
  const open: (Set<string> | null)[] = [];
  let element = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (keys.has(key) && found[found.length - 1]?.element !== element) found.push({ element, key });
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      open.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      open.push(null);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      open.pop();
    } else if (c === 0x2c /* , */) {
      if (open[open.length - 1]) expectKey = true;
      else if (open.length === 1) element++;
    }
  }
  return found;
}

/**
 * The keys written twice in one object of JSON `text` whose parse is `value` — `JSON.parse`
 * keeps the last value silently, so a record `{"email": "a@x.com", …, "email": "b@x.com"}`
 * would be read as b@x.com without a word (trial 19b F8). Cheap when there are none: the
 * text is scanned only when it has more `"…":` marks than `value` has keys.
 */
export function duplicateKeys(text: string, value: unknown): DuplicateKey[] {
  if (keyMarks(text) <= countKeys(value)) return [];
  return scan(text);
}

/** The message of a record with a key twice (`where`: "Line 4", "Element 2"). */
export function twiceMessage(where: string, key: string): string {
  const shown = key.length > 60 ? `${key.slice(0, 60)}…` : key;
  return `${where} has the key ${JSON.stringify(shown)} twice in one object; JSON readers keep only one of the values, so which is meant is unclear. Keep one of them.`;
}
