import { createNetwork, listNetworks } from "@carve/core";
import { toNetworkJson } from "../../../../../api/network-schemas.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: guest networks with their hosts and address use, by name (core refuses everyone else). */
export const GET = apiRoute("Read", async ({ actor, core }) => ({ items: (await listNetworks(core, actor)).map(toNetworkJson) }));

/** Admins only: registers a guest network (its addressing checked, each field at fault named); answers 201 with it. */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toNetworkJson(await createNetwork(core, actor, await jsonBody(request))), 201);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
