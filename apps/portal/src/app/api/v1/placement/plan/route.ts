import { planVm } from "@carve/core";
import type { TVmPlanJson } from "../../../../../api/vm-settings-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/**
 * Where would this VM go? The create's own placement and quota checks (a VM create's body), as the
 * caller; nothing is reserved. Answers whether it fits, where, and why each other host would not.
 */
// A dry run: a Read key may ask.
export const POST = apiRoute("Read", async ({ actor, core, request }): Promise<TVmPlanJson> => planVm(core, actor, await jsonBody(request)));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
