import { getStatus } from "@carve/core";
import { toStatusJson } from "../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only (core refuses everyone else with FORBIDDEN): hosts and their use, VMs by state, jobs in flight and recent failures. */
export const GET = apiRoute("Read", async ({ actor, core }) => toStatusJson(await getStatus(core, actor)));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
