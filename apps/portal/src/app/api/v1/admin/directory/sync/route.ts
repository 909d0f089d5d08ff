import { syncDirectory } from "@carve/core";
import type { TDirectorySyncJson } from "../../../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: syncs users and groups now; directory users gone from the directory are disabled (their VMs listed). */
export const POST = apiRoute("Write", async ({ actor, core }): Promise<TDirectorySyncJson> => syncDirectory(core, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
