import { intParam } from '../db/routes.js';
import { PAGE_LIMIT, type CursorName } from './paging.js';

// The query side of the campaign lists read by key (paging.ts): `?limit` and the cursor, checked, and the link to
// the next page that a response carries.

/**
 * `?limit` and the cursor of a paged route, or the message of the first problem. Parameters the route does not
 * take are refused: a client paging with `?offset=` would otherwise get the first page again and again.
 */
export function pageQuery(
  q: URLSearchParams,
  cursor: CursorName,
  others: readonly string[] = [],
): { limit: number; cursor: number | undefined } | string {
  const known = ['limit', cursor, ...others];
  for (const name of new Set(q.keys())) {
    if (!known.includes(name)) return `unknown parameter "${name}": this list takes ${known.join(', ')}`;
    if (q.getAll(name).length > 1) return `${name} must be given once`;
  }
  const limit = intParam(q, 'limit', PAGE_LIMIT.default, 1, PAGE_LIMIT.max);
  if (typeof limit === 'string') return limit;
  // Absent or empty: the first page. Cursors are row ids, so 0 is never one.
  const at = intParam(q, cursor, 0, 1, Number.MAX_SAFE_INTEGER);
  if (typeof at === 'string') return at;
  return { limit, cursor: at === 0 ? undefined : at };
}

/** The path and query of the page after this one (the request's other parameters kept), or null on the last. */
export function nextLink(path: string, q: URLSearchParams, name: CursorName, cursor: number | null): string | null {
  if (cursor === null) return null;
  const next = new URLSearchParams(q);
  next.set(name, String(cursor));
  return `${path}?${next.toString()}`;
}
