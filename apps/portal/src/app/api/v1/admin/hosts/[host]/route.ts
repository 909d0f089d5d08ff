import { removeHost } from "@carve/core";
import type { TRemovedHostJson } from "../../../../../../api/host-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: removes a host with no VMs left (its libvirt pools and domains stay on it); answers with it, Removed. */
export const DELETE = apiRoute<{ host: string }>("Write", async ({ actor, core, params }): Promise<TRemovedHostJson> => {
  const host = await removeHost(core, actor, { host: params.host });
  return { id: host.id, name: host.name, state: host.state };
});

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
