import { destroyDrift } from "@carve/core";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: pulls the plug on a drifting Carve-named domain and undefines it (its disks are kept); answers 202 with the job. */
export const POST = apiRoute<{ id: string }>("Write", async ({ actor, core, params }) => toJobJson(await destroyDrift(core, actor, params.id)), 202);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
