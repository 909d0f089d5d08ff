import { setQuota } from "@carve/core";
import type { TQuotaJson } from "../../../../../api/admin-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: sets (or clears) the limits of one user or group; answers with the quota. */
export const POST = apiRoute("Write", async ({ actor, core, request }): Promise<TQuotaJson> => setQuota(core, actor, await jsonBody(request)));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
