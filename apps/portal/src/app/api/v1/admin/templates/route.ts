import { registerTemplate } from "@carve/core";
import { toAdminTemplateJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/**
 * Admins only: registers a template by http(s) URL, which the server then downloads (the URL is
 * checked against the source allow-list at once); answers 201 with it, Downloading.
 */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toAdminTemplateJson(await registerTemplate(core, actor, await jsonBody(request))), 201);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
