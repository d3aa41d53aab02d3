/**
 * C0 controls (NUL, ESC, newlines, tabs…), DEL, C1 controls (U+0080–U+009F, e.g. CSI
 * U+009B), the line and paragraph separators (U+2028, U+2029), and the Unicode bidirectional formatting characters (U+200E/U+200F marks,
 * U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates), which reorder how the
 * rest of a line displays (e.g. an id holding U+202E shows the text after it reversed).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0' };

/**
 * Makes text from data (record ids, values, messages quoting them) safe to write to a
 * terminal or a log line: every control character is written as a visible escape (`\x1b`,
 * `\n`, `\0`, `\x9b`…), so a value such as `\x1b[2J` shows as text instead of clearing
 * the screen, and a newline in a value cannot forge a second line. Printable text,
 * including every non-Latin script and emoji, is unchanged.
 */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? (c.charCodeAt(0) > 0xff ? `\\u${c.charCodeAt(0).toString(16)}` : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/**
 * Escapes what `JSON.stringify` leaves raw and a terminal would act on (DEL and the C1
 * controls, as `\u00XX`). The result is the same JSON value: parsing it gives the same data.
 */
export function escapeJsonControl(json: string): string {
  return json.replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value's fields with every string (deeply) passed through {@link escapeControl}; for log fields. */
export function escapeFields(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return escapeControl(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => escapeFields(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[escapeControl(k)] = escapeFields(v, depth + 1);
  return out;
}
