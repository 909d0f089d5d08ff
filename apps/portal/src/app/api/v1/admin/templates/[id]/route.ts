import { deleteTemplate } from "@carve/core";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: deletes a template (name or id) in any state that no live VM uses; a download in progress stops. */
export const DELETE = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => deleteTemplate(core, actor, { template: params.id }));

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
