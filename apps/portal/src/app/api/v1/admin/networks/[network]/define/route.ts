import { defineNetwork } from "@carve/core";
import { pathAndBody } from "../../../../../../../api/path-and-body.ts";
import { toJobJson } from "../../../../../../../api/to-json.ts";
import { apiRoute, optionalJsonBody, otherMethods } from "../../../../../../../server/api-route.ts";

/**
 * Admins only: (re)defines the network on every host that has it, or on the body's `host` only
 * (the body is optional); answers 202 with the jobs. Core refuses everyone else.
 */
export const POST = apiRoute<{ network: string }>(
  "Write",
  async ({ actor, core, request, params }) => {
    const defined = await defineNetwork(core, actor, pathAndBody(await optionalJsonBody(request), { network: params.network }));
    return { network: defined.network, jobs: defined.jobs.map(toJobJson) };
  },
  202,
);

export const { GET, PUT, PATCH, DELETE } = otherMethods("POST");
