/**
 * Whether output to `stream` may be coloured: only on a terminal, and never when the
 * `NO_COLOR` environment variable is set to a non-empty value (https://no-color.org).
 */
export function colourAllowed(stream: { readonly isTTY?: boolean | undefined }, env: Readonly<Record<string, string | undefined>>): boolean {
  const noColor = env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return stream.isTTY === true;
}
