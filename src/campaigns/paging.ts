// Campaign lists are read by key, not by offset: campaigns newest first before a campaign id, a campaign's gyms in
// the order they were added after a campaign_gyms id. A campaign created, or a gym changing state, while a client
// pages cannot shift a row onto the next page twice, and a page deep in thousands of gyms costs what the first does.

/** One page of a list read by key: its rows and the key the next page starts from (null: this is the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly cursor: number | null;
}

/** Page sizes: the API's default, and the largest a client may ask for (what a reader of every page asks for). */
export const PAGE_LIMIT = { default: 100, max: 500 } as const;

/** The cursor's name in a query: campaigns go back in time (`before`), a campaign's gyms forward (`after`). */
export type CursorName = 'before' | 'after';

/** The page of `rows`, read with LIMIT limit + 1: the extra row only says that another page follows. */
export function pageOf<T>(rows: T[], limit: number, key: (row: T) => number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, cursor: rows.length > limit && last !== undefined ? key(last) : null };
}

/** Every row of a list read by key, page after page: each query stays bounded however long the list is. */
export async function everyPage<T>(read: (cursor: number | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  for (let cursor: number | undefined; ;) {
    const page = await read(cursor);
    all.push(...page.items);
    if (page.cursor === null) return all;
    cursor = page.cursor;
  }
}
