import { listVmEvents } from "@carve/core";
import { toVmEventPageJson } from "../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** The VM's event timeline, newest first, a page at a time (`limit`, `cursor`). */
export const GET = apiRoute<{ id: string }>("Read", async ({ actor, core, request, params }) => {
  const search = new URL(request.url).searchParams;
  const page = { ...(search.has("limit") ? { limit: search.get("limit") } : {}), ...(search.has("cursor") ? { cursor: search.get("cursor") } : {}) };
  return toVmEventPageJson(await listVmEvents(core, actor, { vm: params.id, ...page }));
});

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
