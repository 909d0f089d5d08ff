import { deletePool } from "@carve/core";
import { apiRoute, otherMethods } from "../../../../../../server/api-route.ts";

/**
 * Admins only: deletes a pool no volume uses any more (name or id); one that volumes once used is
 * kept as Removed for their history. The files stay on the hosts. Core refuses everyone else.
 */
export const DELETE = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => deletePool(core, actor, { pool: params.id }));

export const { GET, POST, PUT, PATCH } = otherMethods("DELETE");
