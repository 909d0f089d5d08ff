import { addPool, listPools } from "@carve/core";
import type { TPoolJson } from "../../../../../api/admin-schemas.ts";
import { toAddedPoolJson } from "../../../../../api/to-json.ts";
import { apiRoute, jsonBody, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: storage pools (not removed) with their hosts, by name (core refuses everyone else). */
export const GET = apiRoute("Read", async ({ actor, core }) => ({
  items: (await listPools(core, actor)).map(
    (p): TPoolJson => ({ id: p.id, name: p.name, kind: p.kind, scope: p.scope, state: p.state, stateReason: p.stateReason, libvirtName: p.libvirtName, path: p.path, hosts: p.hosts.map((h) => h.host) }),
  ),
}));

/**
 * Admins only: registers a storage pool the named hosts see and sends each a pool.define job;
 * answers 201 with the pool and those jobs (core refuses everyone else with FORBIDDEN).
 */
export const POST = apiRoute("Write", async ({ actor, core, request }) => toAddedPoolJson(await addPool(core, actor, await jsonBody(request))), 201);

export const { PUT, PATCH, DELETE } = otherMethods("GET", "POST");
