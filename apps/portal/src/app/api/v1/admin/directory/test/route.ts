import { checkDirectory } from "@carve/core";
import type { TDirectoryCheckJson } from "../../../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: connects with the saved settings, binds as the service account and counts the users a sync would see; changes nothing. */
export const POST = apiRoute("Read", async ({ actor, core }): Promise<TDirectoryCheckJson> => checkDirectory(core, actor));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
