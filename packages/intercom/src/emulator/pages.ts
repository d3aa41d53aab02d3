import { IntercomApiError } from './api-errors';

/** Intercom's default and largest page sizes for contact lists and search. */
export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 150;

const encode = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');
function decode(cursor: string): number {
  try {
    const offset = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through
  }
  throw new IntercomApiError(400, 'parameter_invalid', 'starting_after is not a valid cursor', 'starting_after');
}

/**
 * One page of a cursor-paginated list (`cursor_pages`): `per_page` 1–150 (default 50),
 * `starting_after` an opaque cursor from the previous page's `pages.next`.
 *
 * @throws {@link IntercomApiError} 400 for a bad page size or cursor.
 */
export function page<T>(items: readonly T[], perPageRaw: unknown, startingAfter: unknown): { data: T[]; total_count: number; pages: Record<string, unknown> } {
  const perPage = perPageRaw === undefined || perPageRaw === null ? DEFAULT_PER_PAGE : Number(perPageRaw);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    throw new IntercomApiError(400, 'parameter_invalid', `per_page must be between 1 and ${MAX_PER_PAGE}`, 'per_page');
  }
  const offset = typeof startingAfter === 'string' && startingAfter !== '' ? decode(startingAfter) : 0;
  const data = items.slice(offset, offset + perPage);
  const next = offset + perPage < items.length ? { per_page: perPage, starting_after: encode(offset + perPage) } : undefined;
  return {
    data,
    total_count: items.length,
    pages: {
      type: 'pages',
      page: Math.floor(offset / perPage) + 1,
      per_page: perPage,
      total_pages: Math.ceil(items.length / perPage),
      ...(next ? { next } : {}),
    },
  };
}
