import { deleteDiskOffering } from "@carve/core";
import type { TDeletedDiskOfferingJson } from "../../../../../../api/admin-schemas.ts";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/** Admins only: deletes a disk offering (retired instead while volumes refer to it); answers with what was done. */
export const DELETE = apiRoute<{ id: string }>("Write", async ({ actor, core, params }): Promise<TDeletedDiskOfferingJson> => deleteDiskOffering(core, actor, { diskOffering: params.id }));

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
