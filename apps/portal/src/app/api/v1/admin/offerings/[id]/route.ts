import { deleteOffering } from "@carve/core";
import type { TDeletedOfferingJson } from "../../../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** `?retire=true|false` as core's boolean; any other text goes to core as it is, which refuses it. */
function retireOf(request: Request): unknown {
  const retire = new URL(request.url).searchParams.get("retire");
  return retire === null ? undefined : retire === "true" ? true : retire === "false" ? false : retire;
}

/**
 * Admins only: deletes a service offering no live VM uses; with `?retire=true`, one that VMs use is
 * retired (hidden from new VMs) instead of refused. Answers with what was done.
 */
export const DELETE = apiRoute<{ id: string }>("Write", async ({ actor, core, params, request }): Promise<TDeletedOfferingJson> => deleteOffering(core, actor, { offering: params.id, retire: retireOf(request) }));

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
