import { CarveError } from "../errors/index.ts";
import { isUuid } from "./is-uuid.ts";

export interface TPage<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * Keyset pagination over rows with uuid ids: fetches one row more than asked to know whether a
 * next page exists. The cursor is the id of the last row returned.
 */
export async function pageOf<T extends { id: string }>(
  page: { limit: number; cursor?: string | undefined },
  fetch: (args: { take: number; skip?: number; cursor?: { id: string } }) => Promise<T[]>,
): Promise<TPage<T>> {
  if (page.cursor !== undefined && !isUuid(page.cursor)) {
    throw new CarveError("INVALID_INPUT", "Invalid input. cursor: is not a cursor from a previous page", {
      fields: [{ field: "cursor", message: "is not a cursor from a previous page" }],
    });
  }
  const rows = await fetch({ take: page.limit + 1, ...(page.cursor ? { skip: 1, cursor: { id: page.cursor } } : {}) });
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? last.id : null };
}
