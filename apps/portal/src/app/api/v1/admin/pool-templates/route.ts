import { addTemplate } from "@carve/core";
import { toAdminTemplateJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: registers a template whose image is already a volume in pools; answers 201 with it, Ready. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toAdminTemplateJson(await addTemplate(core, actor, await jsonBody(request))), 201);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
