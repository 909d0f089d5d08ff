import { getHostInventory } from "@carve/core";
import type { THostInventoryJson } from "../../../../../../../api/host-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: what a host inventory job (`POST /api/v1/admin/hosts/{host}/inspect`) found, once it has succeeded. */
export const GET = apiRoute<{ id: string }>("Read", async ({ actor, core, params }): Promise<THostInventoryJson> => getHostInventory(core, actor, { job: params.id }));

export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");
