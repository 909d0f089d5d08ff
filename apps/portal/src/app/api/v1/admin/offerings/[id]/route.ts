import { deleteOffering } from "@carve/core";
import type { TDeletedOfferingJson } from "../../../../../../api/admin-schemas.ts";
import { queryFlag } from "../../../../../../api/query-params.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/**
 * Admins only: deletes a service offering no live VM uses; with `?retire=true`, one that VMs use is
 * retired (hidden from new VMs) instead of refused. Answers with what was done.
 */
export const DELETE = apiRoute<{ id: string }>("Write", async ({ actor, core, params, request }): Promise<TDeletedOfferingJson> => deleteOffering(core, actor, { offering: params.id, retire: queryFlag(request, "retire") }));

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
