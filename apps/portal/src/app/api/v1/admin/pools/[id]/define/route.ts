import { definePool } from "@carve/core";
import { pathAndBody } from "../../../../../../../api/path-and-body.ts";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, optionalJsonBody, otherMethods } from "../../../../../../../server/api-route.ts";

/**
 * Admins only: (re)defines the pool in libvirt on every host that sees it, or on the body's `host`
 * only (the body is optional); answers 202 with the jobs. Core refuses everyone else.
 */
export const POST = apiRoute<{ id: string }>(
  "Write",
  async ({ actor, core, request, params }) => {
    const defined = await definePool(core, actor, pathAndBody(await optionalJsonBody(request), { pool: params.id }));
    return { pool: defined.pool, jobs: defined.jobs.map(toJobJson) };
  },
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
