import { usageHistory } from "@carve/core";
import { toUsageJson } from "../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

/** Your metered usage per day (or hour) for the last `periods` days (hours), oldest first. */
export const GET = apiRoute("Read", async ({ actor, core, request }) => {
  const search = new URL(request.url).searchParams;
  const query = Object.fromEntries(["periods", "granularity"].flatMap((name) => (search.has(name) ? [[name, search.get(name)]] : [])));
  return toUsageJson(await usageHistory(core, actor, query));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
