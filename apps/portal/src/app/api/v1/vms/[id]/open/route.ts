import { openVmPort } from "@carve/core";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { toOpenedPortJson } from "../../../../../../api/security-group-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** Opens a port of the VM (from the company network unless `source` says otherwise) through a rule in its own group. */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, request, params }) => toOpenedPortJson(await openVmPort(core, actor, pathAndBody(await jsonBody(request), { vm: params.id }))));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
