import { ensureTemplateCopy } from "@carve/core";
import { pathAndBody } from "../../../../../../../api/path-and-body.ts";
import { toTemplateCopyJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../../server/api-route.ts";

/**
 * Admins only: makes sure the Ready template has a copy in the body's `pool`, copying it there now
 * when it has none; answers 202 with the copy and its job (null when it was there or on its way).
 */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => toTemplateCopyJson(await ensureTemplateCopy(core, actor, pathAndBody(await jsonBody(request), { template: params.id }))),
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
