import { inspectHost } from "@carve/core";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, otherMethods } from "../../../../../../../server/api-route.ts";

/** Admins only: asks the host's agent what libvirt has; answers 202 with the job (its inventory: GET /api/v1/admin/jobs/{id}/inventory). */
export const POST = apiRoute<{ host: string }>("Write", async ({ actor, core, params }) => toJobJson(await inspectHost(core, actor, params.host)), 202);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
