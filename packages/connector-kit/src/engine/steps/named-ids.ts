/** Up to three ids, quoted, and how many more, for messages: `"a", "b", "c" and 2 more`. */
export function namedIds(ids: readonly string[]): string {
  const first = ids.slice(0, 3).map((id) => `"${id}"`).join(', ');
  return ids.length > 3 ? `${first} and ${ids.length - 3} more` : first;
}
