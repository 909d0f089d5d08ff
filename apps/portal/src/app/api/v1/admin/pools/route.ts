import { listPools } from "@carve/core";
import type { TPoolJson } from "../../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../server/api-route.ts";

/** Admins only: storage pools (not removed) with their hosts, by name (core refuses everyone else). */
export const GET = apiRoute("Read", async ({ actor, core }) => ({
  items: (await listPools(core, actor)).map(
    (p): TPoolJson => ({ id: p.id, name: p.name, kind: p.kind, scope: p.scope, state: p.state, stateReason: p.stateReason, libvirtName: p.libvirtName, path: p.path, hosts: p.hosts.map((h) => h.host) }),
  ),
}));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
