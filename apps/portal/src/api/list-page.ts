import { CarveError, parseInput } from "@carve/core";
import { ZPage } from "@carve/core/fields";

/** The query of a paged list: `limit` (1–200, default 50) and `cursor` (from the previous page). */
export const ZListPageQuery = ZPage;

/**
 * One page of a short list core answers whole (templates, offerings), so every list of the API
 * pages the same way: `{ items, nextCursor }`, the cursor being the last item's id.
 */
export function pageOfList<T extends { id: string }>(all: T[], search: URLSearchParams): { items: T[]; nextCursor: string | null } {
  const { limit, cursor } = parseInput(ZPage, Object.fromEntries(["limit", "cursor"].flatMap((k) => (search.has(k) ? [[k, search.get(k)]] : []))));
  const start = cursor === undefined ? 0 : all.findIndex((item) => item.id === cursor) + 1;
  if (start === 0 && cursor !== undefined) {
    throw new CarveError("INVALID_INPUT", "Invalid input. cursor: is not a cursor from a previous page", { fields: [{ field: "cursor", message: "is not a cursor from a previous page" }] });
  }
  const items = all.slice(start, start + limit);
  return { items, nextCursor: start + limit < all.length ? (items.at(-1)?.id ?? null) : null };
}
