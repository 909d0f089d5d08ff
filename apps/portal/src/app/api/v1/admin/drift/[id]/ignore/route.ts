import { ignoreDrift } from "@carve/core";
import type { TIgnoredDriftJson } from "../../../../../../../api/host-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: leaves a drifting domain alone; it drops off the open drift list. */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, params }): Promise<TIgnoredDriftJson> => ignoreDrift(core, actor, params.id));

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
