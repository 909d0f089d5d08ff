import { deleteNetwork, getNetwork, updateNetwork } from "@carve/core";
import { toNetworkDetailJson, toNetworkJson } from "../../../../../../api/network-schemas.ts";
import { pathAndBody } from "../../../../../../api/path-and-body.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: one network (name or id) with the VMs on it and their addresses. */
export const GET = apiRoute<{ network: string }>("Read", async ({ actor, core, params }) => toNetworkDetailJson(await getNetwork(core, actor, { network: params.network })));

/** Admins only: changes a network; refused (NETWORK_IN_USE, naming them) when the change would strand the VMs on it. */
export const PATCH = apiRoute<{ network: string }>("Write", async ({ actor, core, params, request }) =>
  toNetworkJson(await updateNetwork(core, actor, pathAndBody(await jsonBody(request), { network: params.network }))),
);

/** Admins only: deletes a network no VM and no offering uses (HAS_DEPENDENTS names them otherwise). */
export const DELETE = apiRoute<{ network: string }>("Write", async ({ actor, core, params }) => deleteNetwork(core, actor, { network: params.network }));

export const { POST, PUT } = otherMethods("GET", "PATCH", "DELETE");
