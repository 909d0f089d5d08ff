import { listHosts } from "@carve/core";
import { toHostJson } from "../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../server/api-route.ts";

/** Admins only: core refuses everyone else with FORBIDDEN (403). */
export const GET = apiRoute("Read", async ({ actor, core }) => ({ items: (await listHosts(core, actor)).map(toHostJson) }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
