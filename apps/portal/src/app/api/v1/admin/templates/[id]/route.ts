import { deleteTemplate, updateTemplate } from "@carve/core";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { toAdminTemplateJson } from "../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: changes a template's (name or id) description, login user or image capabilities; answers with it. */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, request, params }) =>
  toAdminTemplateJson(await updateTemplate(core, actor, pathAndBody(await jsonBody(request), { template: params.id }))),
);

/** Admins only: deletes a template (name or id) in any state that no live VM uses; a download in progress stops. */
export const DELETE = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => deleteTemplate(core, actor, { template: params.id }));

export const { GET, PUT, PATCH } = otherMethods("POST", "DELETE");
