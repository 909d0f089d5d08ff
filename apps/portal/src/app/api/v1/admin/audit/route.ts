import { searchAudit } from "@carve/core";
import { queryParams } from "../../../../../api/query-params.ts";
import { toAuditEntryJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

const QUERY = ["actor", "action", "target", "outcome", "from", "to", "limit", "cursor"] as const;

/** Admins only: the audit trail, newest first, a page at a time (core refuses everyone else with FORBIDDEN). */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const page = await searchAudit(core, actor, queryParams(request, QUERY));
  return { items: page.items.map(toAuditEntryJson), nextCursor: page.nextCursor };
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
