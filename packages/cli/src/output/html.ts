import escapeHtml from 'escape-html';
import { escapeControl } from './safe-text';

/** Markup that is already safe (built by {@link html}); anything else is escaped. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = SafeHtml | string | number | boolean | null | undefined | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(escapeControl(String(part)));
}

/**
 * A template tag for HTML where every interpolated value is escaped (`& < > " '`, and its
 * control and bidirectional formatting characters as visible escapes, as on a terminal:
 * trial 20b N2), unless it was itself built by `html`. Data from user files (record ids, messages) can therefore
 * only ever become text, in element content and in quoted attribute values alike.
 *
 * @example html`<td title="${message}">${id}</td>`
 */
export function html(strings: TemplateStringsArray, ...values: readonly Part[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out);
}
