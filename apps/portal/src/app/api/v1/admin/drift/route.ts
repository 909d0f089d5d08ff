import { listDrift } from "@carve/core";
import { queryFlag } from "../../../../../api/query-params.ts";
import { toDriftJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: domains on the hosts that Carve does not manage, open ones (`?all=true`: also ignored and resolved). */
export const GET = apiRoute("Read", async ({ actor, core, request }) => ({ items: (await listDrift(core, actor, { all: queryFlag(request, "all") })).map(toDriftJson) }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
