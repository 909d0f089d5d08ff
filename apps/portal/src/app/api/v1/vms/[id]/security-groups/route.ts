import { getVmSecurityGroups, setVmSecurityGroups } from "@carve/core";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** The VM's security groups. */
export const GET = apiRoute<{ id: string }>("Read", async ({ actor, core, params }) => getVmSecurityGroups(core, actor, { vm: params.id }));

/** Replaces the VM's security groups (its owner's groups, by name or id); its filter is re-applied live. */
export const PUT = apiRoute<{ id: string }>("Write", async ({ actor, core, request, params }) => setVmSecurityGroups(core, actor, pathAndBody(await jsonBody(request), { vm: params.id })));

export const { POST, PATCH, DELETE } = otherMethods("GET", "PUT");
